import '../../support/env.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations } from '../../support/browser.js';
import { api } from '../../support/http.js';
import { announce, fixtureUrl, settle, unique } from '../photos/helpers.js';

const STAGES = ['download', 'analyse', 'report', 'done', 'failed'];

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
    it(`shows the counts per stage, done and failed included, and a done photo with its boxes (${label})`, async () => {
      const b = await openConsole('/photos?within=7d', { viewport });
      try {
        const { page } = b;
        const count = async (stage: string) => Number(await page.locator(`[data-stage=${stage}] .count`).textContent());
        for (const stage of STAGES) await page.locator(`[data-stage=${stage}] .count`).waitFor({ timeout: 30_000 });
        // A 7-day window: in a 15-minute one, the suite's older photos leave the window while new ones
        // enter, so the done count need not rise. The page shows what the API counts (both read the same records; retried while the pipeline moves).
        await expect.poll(async () => {
          const s = (await api('GET', '/photos/stats?within=7d')).json;
          const shown = await Promise.all(STAGES.map(count));
          return JSON.stringify(shown) === JSON.stringify([s.pending.download, s.pending.analyse, s.pending.report, s.done, s.failed]);
        }, { timeout: 30_000, interval: 1000 }).toBe(true);
        expect(await count('done')).toBeGreaterThanOrEqual(1);
        expect(await count('failed')).toBeGreaterThanOrEqual(1);

        if (label === 'desktop') {
          // One more real photo: the page's next poll (every 10 s) counts it as done.
          const shownBefore = await count('done');
          const id = await announce({ photoUrl: fixtureUrl('messi5.jpg'), cameraCode: cam });
          expect((await settle(id)).status).toBe('done');
          await expect.poll(() => count('done'), { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(shownBefore + 1);
        }
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
