import '../../support/env.js';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations } from '../../support/browser.js';
import { api, eventually } from '../../support/http.js';
import { prepareClipMedia, uploadClip, type ClipMedia } from '../clips/helpers.js';

const run = Date.now().toString(36);
const CAM = `console-alarms-${run}`;
const T0 = Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000;
let media: ClipMedia;

/** Pads around the 30 s fixture so the replay window (before/after the incident) has footage. */
async function footage(start: number) {
  await uploadClip(CAM, start - 10_000, media.pad);
  await uploadClip(CAM, start - 5000, media.pad);
  for (const [i, f] of media.fixture.entries()) await uploadClip(CAM, start + i * 5000, f);
  for (const s of [30_000, 35_000, 40_000]) await uploadClip(CAM, start + s, media.pad);
}
const ready = async () => {
  const r = await api('GET', `/alarms?cameraId=${CAM}&limit=100`);
  expect(r.status, r.text).toBe(200);
  return r.json.items as Array<{ alarmId: string; replayReady: boolean }>;
};

describe.runIf(hasChromium)('console alarms page (real Chromium)', () => {
  let first: string;
  beforeAll(async () => {
    media = await prepareClipMedia();
    // As test/e2e/clips/pipeline.test.ts: anyone anywhere in the frame is an alarm.
    const r = await api('PUT', `/cameras/${CAM}/rules`, { body: { rules: [{ id: 'anyone', type: 'crowding', polygon: [[0, 0], [767, 0], [767, 575], [0, 575]], minCount: 1, seconds: 0 }] } });
    expect(r.status, r.text).toBe(200);
    await footage(T0);
    first = await eventually(async () => (await ready()).find((x) => x.replayReady)?.alarmId, 'an alarm with its replay ready', 300_000, 2000);
  }, 420_000);
  afterAll(async () => {
    if (media) await rm(media.dir, { recursive: true, force: true });
  });

  it('lists the alarm, plays and seeks its replay, and shows a new alarm without reload', async () => {
    const b = await openConsole(`/alarms?camera=${CAM}`, { viewport: DESKTOP });
    try {
      const { page } = b;
      await page.locator(`[data-alarm="${first}"]`).waitFor({ timeout: 30_000 });
      await screenshot(page, 'console-alarms');
      expect(await seriousA11yViolations(page)).toEqual([]);
      const before = await page.locator('tr[data-alarm]').count();

      // A second pass of the footage later in time: a new incident, picked up by the 10 s poll.
      const polls: string[] = [];
      page.on('request', (r) => r.url().includes('/alarms?') && polls.push(r.url()));
      await footage(T0 + 120_000);
      await page.locator('tr.fresh').first().waitFor({ timeout: 300_000 });
      expect(await page.locator('tr[data-alarm]').count()).toBeGreaterThan(before);
      expect(polls.length).toBeGreaterThan(0);

      await page.locator(`[data-alarm="${first}"] a`).click();
      await page.locator('video.replay').waitFor({ timeout: 30_000 });
      await page.waitForFunction("(() => { const i = document.querySelector('img.snapshot'); return i && i.complete && i.naturalWidth > 0; })()", undefined, { timeout: 30_000 });
      expect(await page.locator('.replay-state').textContent()).toBe('ready');
      expect(await page.locator('.track-ids').textContent()).toMatch(/\d/);
      expect(await page.locator('table.pushes tbody tr').count()).toBeGreaterThan(0);
      await page.evaluate("(() => { const v = document.querySelector('video.replay'); v.muted = true; return v.play(); })()");
      await page.waitForFunction("document.querySelector('video.replay').currentTime > 0.5", undefined, { timeout: 30_000 });
      await page.evaluate("(() => { const v = document.querySelector('video.replay'); v.pause(); v.currentTime = 10; })()");
      await page.waitForFunction("(() => { const v = document.querySelector('video.replay'); return !v.seeking && v.currentTime >= 10 && v.readyState >= 2; })()", undefined, { timeout: 30_000 });
      await screenshot(page, 'console-alarm');
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  }, 600_000);

  it('reads on a phone', async () => {
    const b = await openConsole(`/alarms/${first}`, { viewport: PHONE });
    try {
      const { page } = b;
      await page.locator('video.replay').waitFor({ timeout: 30_000 });
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await screenshot(page, 'console-alarm-phone');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.goto(new URL(`/alarms?camera=${CAM}`, page.url()).toString());
      await page.locator(`[data-alarm="${first}"]`).waitFor({ timeout: 30_000 });
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await screenshot(page, 'console-alarms-phone');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // The rule filter goes to the API (rule=), which answers only that rule's alarms.
      const asked: string[] = [];
      page.on('request', (r) => r.url().includes('/alarms?') && asked.push(r.url()));
      await page.getByLabel('Rule').selectOption('anyone');
      await eventually(async () => asked.some((u) => new URL(u).searchParams.get('rule') === 'anyone'), 'a request with rule=anyone', 10_000, 100);
      await page.locator(`[data-alarm="${first}"]`).waitFor({ timeout: 30_000 });
      await page.getByLabel('Rule').selectOption('camera.offline');
      await page.getByText('No alarms of rule “camera.offline”').waitFor({ timeout: 30_000 });
      expect(await page.locator('tr[data-alarm]').count()).toBe(0);
      expect(new URL(page.url()).searchParams.get('rule')).toBe('camera.offline');
      // A bad rule in a shared link: the API's message next to the field.
      await page.goto(new URL(`/alarms?camera=${CAM}&rule=${encodeURIComponent('no such rule')}`, page.url()).toString());
      await page.locator('#rule-error').waitFor({ timeout: 30_000 });
      expect(await page.locator('#rule-error').textContent()).toMatch(/rule id/);
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await b.close();
    }
  }, 120_000);
});
