import '../../support/env.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations, expectReadableOnPhone } from '../../support/browser.js';
import { fixture, putImage, run, settled } from '../search/helpers.js';

/**
 * App-bound key: only images/appB/… come back. App B, because the search e2e tests index this same
 * fixture under app A, and identical bytes would tie with the original for first place.
 */
const APP = 'local-app-b';
const key = `images/appB/console-${run}/messi5.jpg`;

describe.runIf(hasChromium)('console search page (real Chromium)', () => {
  let dir: string;
  let copy: string;
  let blank: string;
  beforeAll(async () => {
    await putImage(key, await fixture('messi5.jpg'));
    // Another photo of the same face: cropped, shrunk and re-compressed (as test/e2e/search does).
    dir = mkdtempSync(join(tmpdir(), 'console-search-'));
    copy = join(dir, 'messi-copy.jpg');
    writeFileSync(copy, await sharp(await fixture('messi5.jpg')).extract({ left: 40, top: 10, width: 400, height: 300 }).resize(280).jpeg({ quality: 60 }).toBuffer());
    blank = join(dir, 'blank.png');
    writeFileSync(blank, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a8699' } }).png().toBuffer());
    const rec = await settled(key);
    expect(rec.status).toBe('indexed');
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a photo picked in the page gets its face boxed and the indexed original as first match', async () => {
    const b = await openConsole('/search', { key: APP });
    try {
      const { page } = b;
      await page.getByLabel('Choose a photo to search').setInputFiles(copy);
      await page.locator('.face-box').first().waitFor({ timeout: 90_000 });
      expect(await page.locator('.face-box').count()).toBe(1);
      // The box sits inside the image, where the face is (the copy is 280×210; the face is near the top middle).
      const box = await page.locator('.face-box').boundingBox();
      const img = await page.locator('.boxed img').boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(img!.x);
      expect(box!.x + box!.width).toBeLessThanOrEqual(img!.x + img!.width + 1);
      expect(box!.y + box!.height).toBeLessThan(img!.y + img!.height * 0.8);
      const first = page.locator('.match').first();
      expect(await first.getAttribute('data-image-key')).toBe(key);
      expect(await first.locator('.score').textContent()).toMatch(/similarity 0\.\d\d/);
      // The thumbnail loads through its presigned link.
      await page.waitForFunction("(() => { const i = document.querySelector('.match img'); return i && i.complete && i.naturalWidth === 548; })()", undefined, { timeout: 30_000 });
      const href = await first.getByRole('link').getAttribute('href');
      const r = await page.request.get(new URL(href!, page.url()).toString());
      expect(r.status()).toBe(200);
      await screenshot(page, 'console-search-desktop');
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  }, 180_000);

  it('a photo without faces says so; on a phone', async () => {
    const b = await openConsole('/search', { key: APP, viewport: PHONE });
    try {
      const { page } = b;
      await page.getByLabel('Choose a photo to search').setInputFiles(blank);
      await page.getByText('No faces found in this photo').waitFor({ timeout: 90_000 });
      expect(await page.locator('.face-box').count()).toBe(0);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'console-search-phone-empty');
      await page.getByLabel('Choose a photo to search').setInputFiles(copy);
      await page.locator('.match').first().waitFor({ timeout: 90_000 });
      await expectReadableOnPhone(page, 'console-search-phone');
    } finally {
      await b.close();
    }
  }, 180_000);
});
