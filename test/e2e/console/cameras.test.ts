import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations, expectReadableOnPhone } from '../../support/browser.js';
import { api, eventually } from '../../support/http.js';
import { clipsOf, prepareClipMedia, uploadClip, type ClipMedia } from '../clips/helpers.js';
import { announce, fixtureUrl, settle } from '../photos/helpers.js';

/**
 * The camera wall and the camera page on the local stack. One camera gets a fixture clip processed
 * (so it has a latest snapshot), then an older grey clip (which must not replace it), and two
 * analysed photos (so the people chart has data). In Chromium: the wall shows its snapshot and
 * state and filters by state; on the camera page a zone and a line are drawn on the snapshot and
 * saved, and an invalid zone shows the API's message next to its field and writes nothing; a count
 * region is drawn for the detector, saved, refused with a bad minScore, and reset; a rule's active
 * hours round-trip through save.
 */
const run = Date.now().toString(36);
// Also a photo cameraCode: [A-Za-z0-9_-] only.
const CAM = `e2e-console-cam-${run}`;
const T_NEW = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
const T_OLD = T_NEW - 60_000;
let media: ClipMedia;

const inferred = (startMs: number) =>
  eventually(async () => (await clipsOf(CAM)).find((c) => c.startMs === startMs && (c.inferredAt || c.error)), `inference of ${startMs}`, 180_000, 500);

async function snapshotInfo() {
  const r = await api('GET', `/cameras/${CAM}/snapshot?redirect=false`);
  return r.status === 200 ? (r.json as { url: string; clipStartAt: string }) : null;
}

beforeAll(async () => {
  media = await prepareClipMedia();
  const r = await api('PUT', `/cameras/${CAM}`, { body: { name: `Console camera ${run}` } });
  expect(r.status).toBe(200);
}, 120_000);

afterAll(async () => {
  if (media) await rm(media.dir, { recursive: true, force: true });
});

describe('GET /cameras/{id}/snapshot (latest frame from the clip pipeline)', () => {
  it('is a 404 before any clip is processed', async () => {
    const r = await api('GET', `/cameras/${CAM}/snapshot`);
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ status: 'error', message: expect.stringMatching(/no snapshot/) });
    expect((await api('GET', `/cameras/${CAM}/snapshot?redirect=maybe`)).status).toBe(400);
  });

  it('redirects to the JPEG of the newest clip; an older clip processed later does not replace it', async () => {
    await uploadClip(CAM, T_NEW, media.fixture[1]!);
    expect((await inferred(T_NEW)).inferredAt).toBeTruthy();
    const first = await eventually(snapshotInfo, 'snapshot after the first clip', 30_000);
    expect(first.clipStartAt).toBe(new Date(T_NEW).toISOString());
    const r = await api('GET', `/cameras/${CAM}/snapshot`);
    expect(r.status).toBe(302);
    const img = await fetch(r.headers.get('location')!);
    expect(img.status).toBe(200);
    const jpeg = Buffer.from(await img.arrayBuffer());
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);

    // The grey clip is older: processed after the fixture clip, it must leave the snapshot alone.
    await uploadClip(CAM, T_OLD, media.pad);
    expect((await inferred(T_OLD)).inferredAt).toBeTruthy();
    const after = await snapshotInfo();
    expect(after?.clipStartAt).toBe(new Date(T_NEW).toISOString());
    const again = Buffer.from(await (await fetch(after!.url)).arrayBuffer());
    expect(again.equals(jpeg)).toBe(true);
  }, 400_000);
});

describe.runIf(hasChromium)('console cameras wall and camera page (real Chromium)', () => {
  beforeAll(async () => {
    // Two analysed photos of the same camera code: data for the people-over-time chart.
    const ids = [];
    for (const [i, name] of ['basketball1.png', 'messi5.jpg'].entries()) {
      ids.push(await announce({ photoUrl: fixtureUrl(name), cameraCode: CAM, callTime: new Date(Date.now() - (i + 2) * 60_000).toISOString() }));
    }
    for (const id of ids) expect((await settle(id)).status).toBe('done');
  }, 300_000);

  it('the wall shows the camera with its snapshot and state, and filters by state', async () => {
    await eventually(snapshotInfo, 'a snapshot', 400_000, 1000);
    const b = await openConsole('/');
    try {
      const card = b.page.locator(`li[data-camera="${CAM}"]`);
      await card.waitFor({ timeout: 30_000 });
      await b.page.waitForFunction(`document.querySelector('li[data-camera="${CAM}"] img.snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      expect(await card.getByRole('heading').textContent()).toBe(`Console camera ${run}`);
      const state = (await card.locator('.badge').textContent())!;
      expect(state).toMatch(/^(receiving|idle|unassigned)$/);
      await screenshot(b.page, 'console-cameras');
      expect(await seriousA11yViolations(b.page)).toEqual([]);

      const filter = b.page.getByLabel('State');
      await filter.selectOption(state);
      await card.waitFor();
      await filter.selectOption('disabled');
      await card.waitFor({ state: 'detached' });
      await filter.selectOption('');
      await card.getByRole('link').click();
      await b.page.getByRole('heading', { name: `Camera Console camera ${run}`, level: 1 }).waitFor();
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  }, 500_000);

  it('the wall is readable on a phone', async () => {
    const b = await openConsole('/', { viewport: PHONE });
    try {
      await b.page.waitForFunction(`document.querySelector('li[data-camera="${CAM}"] img.snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      await expectReadableOnPhone(b.page, 'console-cameras-phone');
    } finally {
      await b.close();
    }
  }, 120_000);

  it('draws a zone and a line on the snapshot, saves them, and shows the API message for a bad zone', async () => {
    const b = await openConsole(`/cameras/${CAM}`);
    try {
      const { page } = b;
      await page.waitForFunction(`document.querySelector('img.editor-snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      const [w, h] = await page.evaluate<[number, number]>(`(() => { const i = document.querySelector('img.editor-snapshot'); return [i.naturalWidth, i.naturalHeight]; })()`);
      const overlay = page.getByTestId('rules-overlay');
      // Relative to the overlay (scrolled into view), measured at each click: entering a drawing mode
      // changes the toolbar and the hint above the image.
      const clickAt = async (fx: number, fy: number) => {
        const box = (await overlay.boundingBox())!;
        await overlay.click({ position: { x: fx * box.width, y: fy * box.height } });
      };

      const zone: [number, number][] = [[0.1, 0.3], [0.4, 0.3], [0.4, 0.7], [0.1, 0.7]];
      await page.getByRole('button', { name: 'Draw zone' }).click();
      for (const [x, y] of zone) await clickAt(x, y);
      await page.getByRole('button', { name: /Finish shape \(4 points\)/ }).click();
      await page.getByRole('button', { name: 'Draw line' }).click();
      await clickAt(0.6, 0.9);
      await clickAt(0.6, 0.1);
      await page.getByLabel('Direction').selectOption('left-to-right');
      await page.getByRole('button', { name: 'Save rules' }).click();
      await page.getByRole('status').filter({ hasText: /Saved 2 rules/ }).waitFor();

      // The people chart (photo counts) is a uPlot canvas.
      await page.locator('figure.chart canvas').first().waitFor();
      await screenshot(page, 'console-camera');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.reload({ waitUntil: 'load' });
      await page.getByRole('button', { name: /zone zone-1/ }).waitFor();
      const stored = await api('GET', `/cameras/${CAM}/rules`);
      expect(stored.status).toBe(200);
      const [z, l] = stored.json.rules;
      expect(z).toMatchObject({ id: 'zone-1', type: 'zone' });
      expect(z.polygon).toHaveLength(4);
      z.polygon.forEach(([x, y]: [number, number], i: number) => {
        expect(Math.abs(x - zone[i]![0] * w)).toBeLessThanOrEqual(2);
        expect(Math.abs(y - zone[i]![1] * h)).toBeLessThanOrEqual(2);
      });
      expect(l).toMatchObject({ id: 'line-1', type: 'line', direction: 'left-to-right' });
      expect(Math.abs(l.from[0] - 0.6 * w)).toBeLessThanOrEqual(2);
      expect(Math.abs(l.from[1] - 0.9 * h)).toBeLessThanOrEqual(2);
      expect(Math.abs(l.to[1] - 0.1 * h)).toBeLessThanOrEqual(2);

      // A two-point zone: the API refuses it, the message shows next to the polygon field, nothing is written.
      await page.waitForFunction(`document.querySelector('img.editor-snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      await page.getByRole('button', { name: 'Draw zone' }).click();
      await clickAt(0.7, 0.2);
      await clickAt(0.9, 0.2);
      await page.getByRole('button', { name: /Finish shape \(2 points\)/ }).click();
      await page.getByRole('button', { name: 'Save rules' }).click();
      const fieldErr = page.locator('.rule-form .field-error').filter({ hasText: 'polygon needs at least 3 points' });
      await fieldErr.waitFor();
      expect(await page.getByRole('alert').first().textContent()).toMatch(/HTTP 400/);
      expect(await page.getByRole('list', { name: 'Problems' }).textContent()).toMatch(/rules\.2\.polygon/);
      const unchanged = await api('GET', `/cameras/${CAM}/rules`);
      expect(unchanged.json.rules).toEqual(stored.json.rules);
      expect(unchanged.json.updatedAt).toBe(stored.json.updatedAt);
      expect(b.errors.filter((e) => !/400/.test(e))).toEqual([]);
    } finally {
      await b.close();
    }
  }, 180_000);

  it('draws a count region for the detector, saves and resets it; a bad minScore shows the API message and writes nothing', async () => {
    const b = await openConsole(`/cameras/${CAM}`);
    try {
      const { page } = b;
      await page.waitForFunction(`document.querySelector('img.detector-snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      const [w, h] = await page.evaluate<[number, number]>(`(() => { const i = document.querySelector('img.detector-snapshot'); return [i.naturalWidth, i.naturalHeight]; })()`);
      const overlay = page.getByTestId('detector-overlay');
      const clickAt = async (fx: number, fy: number) => {
        const box = (await overlay.boundingBox())!;
        await overlay.click({ position: { x: fx * box.width, y: fy * box.height } });
      };
      const region: [number, number][] = [[0.2, 0.4], [0.8, 0.4], [0.9, 0.95], [0.1, 0.95]];
      await page.getByRole('button', { name: 'Draw count region' }).click();
      for (const [x, y] of region) await clickAt(x, y);
      await page.getByRole('button', { name: /Finish region \(4 points\)/ }).click();
      await page.locator('#det-minArea').fill('400');
      await page.getByRole('button', { name: 'Save detector settings' }).click();
      await page.getByRole('status').filter({ hasText: /Saved the detector settings/ }).waitFor();
      await page.locator('#detector-title').scrollIntoViewIfNeeded();
      await screenshot(page, 'console-camera-regions');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.reload({ waitUntil: 'load' });
      await page.getByRole('button', { name: 'Redraw count region' }).waitFor();
      const stored = await api('GET', `/cameras/${CAM}/detector`);
      expect(stored.status).toBe(200);
      expect(stored.json.settings.minArea).toBe(400);
      const saved = stored.json.settings.countRegion as [number, number][];
      expect(saved).toHaveLength(4);
      saved.forEach(([x, y], i) => {
        expect(Math.abs(x - region[i]![0] * w)).toBeLessThanOrEqual(2);
        expect(Math.abs(y - region[i]![1] * h)).toBeLessThanOrEqual(2);
      });

      // minScore 5: the API's message next to that field, the stored settings untouched.
      await page.locator('#det-minScore').fill('5');
      await page.getByRole('button', { name: 'Save detector settings' }).click();
      await page.locator('#det-minScore-err').filter({ hasText: 'must be ≤ 1' }).waitFor();
      expect(await page.locator('#det-minScore').getAttribute('aria-invalid')).toBe('true');
      const unchanged = await api('GET', `/cameras/${CAM}/detector`);
      expect(unchanged.json).toEqual(stored.json);

      // Reset asks first, then DELETEs: back to no settings of the camera's own.
      await page.locator('#det-minScore').fill('');
      await page.getByRole('button', { name: 'Reset to defaults…' }).click();
      await page.getByRole('group', { name: 'Confirm reset' }).getByRole('button', { name: 'Yes, reset' }).click();
      await page.getByRole('status').filter({ hasText: 'Reset to the model defaults.' }).waitFor();
      await page.getByRole('button', { name: 'Draw count region', exact: true }).waitFor();
      const reset = await api('GET', `/cameras/${CAM}/detector`);
      expect(reset.json.settings).toEqual({});
      expect(b.errors.filter((e) => !/400/.test(e))).toEqual([]);
    } finally {
      await b.close();
    }
  }, 180_000);

  it("a rule's active hours set in the form round-trip through save", async () => {
    const b = await openConsole(`/cameras/${CAM}`);
    try {
      const { page } = b;
      await page.getByRole('button', { name: /zone zone-1/ }).click();
      await page.getByRole('button', { name: 'Add active range' }).click();
      const range = page.getByRole('group', { name: 'Active range 1' });
      await range.getByLabel('fri').uncheck();
      await range.getByLabel('sat').check();
      await range.getByLabel('From').fill('22:00');
      await range.getByLabel('To').fill('06:00');
      await page.locator('#opt-inertia').fill('3');
      await page.getByRole('button', { name: 'Save rules' }).click();
      await page.getByRole('status').filter({ hasText: /Saved \d+ rules?/ }).waitFor();
      const stored = await api('GET', `/cameras/${CAM}/rules`);
      const zone = stored.json.rules.find((r: { id: string }) => r.id === 'zone-1');
      expect(zone.activeHours).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'sat'], from: '22:00', to: '06:00' }]);
      expect(zone.inertia).toBe(3);

      await page.reload({ waitUntil: 'load' });
      await page.getByRole('button', { name: /zone zone-1/ }).click();
      const again = page.getByRole('group', { name: 'Active range 1' });
      expect(await again.getByLabel('From').inputValue()).toBe('22:00');
      expect(await again.getByLabel('sat').isChecked()).toBe(true);
    } finally {
      await b.close();
    }
  }, 120_000);

  it('the camera page is readable on a phone', async () => {
    const b = await openConsole(`/cameras/${CAM}`, { viewport: PHONE });
    try {
      await b.page.waitForFunction(`document.querySelector('img.editor-snapshot')?.naturalWidth > 0`, undefined, { timeout: 30_000 });
      await b.page.locator('figure.chart canvas').first().waitFor();
      await expectReadableOnPhone(b.page, 'console-camera-phone');
      // The nav: brand and "Change key" on one row, every link whole and on screen, at most two rows below.
      const box = async (l: ReturnType<typeof b.page.locator>) => (await l.boundingBox())!;
      const brand = await box(b.page.locator('nav.nav .brand'));
      const key = await box(b.page.locator('nav.nav > button'));
      expect(Math.abs(brand.y + brand.height / 2 - (key.y + key.height / 2))).toBeLessThan(4);
      const links = b.page.locator('nav.nav ul a');
      const rows = new Set<number>();
      for (let i = 0; i < (await links.count()); i++) {
        const l = await box(links.nth(i));
        expect(l.x).toBeGreaterThanOrEqual(0);
        expect(l.x + l.width).toBeLessThanOrEqual(PHONE.width);
        expect(l.y).toBeGreaterThanOrEqual(brand.y + brand.height);
        rows.add(Math.round(l.y));
      }
      expect(rows.size).toBeLessThanOrEqual(2);
    } finally {
      await b.close();
    }
  }, 120_000);
});
