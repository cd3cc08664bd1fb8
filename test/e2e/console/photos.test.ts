import '../../support/env.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations } from '../../support/browser.js';
import { announce, fixtureUrl, settle, unique } from '../photos/helpers.js';

describe.runIf(hasChromium)('console photos page (real Chromium)', () => {
  const cam = `console-${unique()}`;
  let done: any;
  let failed: any;
  beforeAll(async () => {
    const a = await announce({ photoUrl: fixtureUrl('basketball1.png'), cameraCode: cam });
    const b = await announce({ photoUrl: fixtureUrl(`missing-${unique()}.jpg`), cameraCode: cam });
    [done, failed] = await Promise.all([settle(a), settle(b)]);
    expect(done.status).toBe('done');
    expect(failed.status).toBe('failed');
  }, 240_000);

  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`shows the stage counts and a done photo with its boxes (${label})`, async () => {
      const b = await openConsole('/photos', { viewport });
      try {
        const { page } = b;
        for (const stage of ['download', 'analyse', 'report']) await page.locator(`[data-stage=${stage}] .count`).waitFor({ timeout: 30_000 });
        expect(Number(await page.locator('[data-stage=download] .count').textContent())).toBeGreaterThanOrEqual(0);
        await screenshot(page, `console-photos${label === 'phone' ? '-phone' : ''}`);
        expect(await seriousA11yViolations(page)).toEqual([]);

        await page.getByLabel('Photo id').fill(String(done.id));
        await page.getByRole('button', { name: 'Open' }).click();
        await page.locator('.photo-status').waitFor();
        expect(await page.locator('.photo-status').textContent()).toBe('done');
        await page.waitForFunction("(() => { const i = document.querySelector('.photo-frame img'); return i && i.complete && i.naturalWidth > 0; })()", undefined, { timeout: 30_000 });
        await page.locator('svg.boxes').waitFor({ state: 'attached' });
        const expected = (done.detections ?? []).length;
        expect(expected).toBe(done.numOfPeople ?? expected);
        expect(await page.locator('svg.boxes rect.box').count()).toBe(expected);
        await screenshot(page, `console-photo${label === 'phone' ? '-phone' : ''}`);
        expect(await seriousA11yViolations(page)).toEqual([]);
        const scroll = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
        expect(scroll).toBe(true);

        await page.goto(new URL(`/photos/${failed.id}`, page.url()).toString());
        await page.locator('.photo-status').waitFor();
        expect(await page.locator('.photo-status').textContent()).toBe('failed');
        expect(b.errors.filter((e) => !/Failed to load resource|404/.test(e))).toEqual([]);
      } finally {
        await b.close();
      }
    }, 180_000);
  }
});
