import '../../support/env.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../../shared/video/ffmpeg.js';
import { hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations, expectReadableOnPhone } from '../../support/browser.js';
import { api } from '../../support/http.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/pedestrians_0-30s.mp4');
const USER = `console-e2e-${Date.now().toString(36)}`;

describe.runIf(hasChromium)('console media page (real Chromium)', () => {
  let dir: string;
  let video: string;
  beforeAll(() => {
    // Local parts are 8 MiB: eight copies of the 2 MB fixture (4 minutes of real video) make 3 parts.
    dir = mkdtempSync(join(tmpdir(), 'console-media-'));
    const list = join(dir, 'list.txt');
    writeFileSync(list, Array.from({ length: 8 }, () => `file '${FIXTURE}'`).join('\n'));
    video = join(dir, 'pedestrians-4min.mp4');
    execFileSync(ffmpegPath(), ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', video]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uploads a 3-part video with progress, plays and seeks it, updates the group totals, deletes it after confirming', async () => {
    const size = statSync(video).size;
    expect(size).toBeGreaterThan(16 * 1024 * 1024);
    const before = (await api('GET', '/groups')).json.groups as { name: string; files: number; bytes: number }[];

    const b = await openConsole('/media');
    try {
      const { page } = b;
      await page.getByRole('heading', { name: 'Media', level: 1 }).waitFor();
      await page.getByLabel('User').fill(USER);
      await page.getByRole('button', { name: 'Show files' }).click();
      await page.getByText('No files yet').waitFor();

      // Count the part PUTs in flight at once: the parts go up in parallel.
      let inFlight = 0;
      let most = 0;
      const parts = new Set<string>();
      page.on('request', (r) => r.method() === 'PUT' && r.url().includes('partNumber=') && (parts.add(r.url()), (most = Math.max(most, ++inFlight))));
      page.on('requestfinished', (r) => r.method() === 'PUT' && r.url().includes('partNumber=') && inFlight--);

      await page.getByLabel('File to upload').setInputFiles(video);
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.waitForFunction("document.querySelector('#upload-progress')?.dataset.state === 'done'", undefined, { timeout: 120_000 });
      expect(await page.evaluate('document.querySelector("#upload-progress").value')).toBe(100);
      expect(parts.size).toBe(3);
      expect(most).toBeGreaterThanOrEqual(2);

      const row = page.locator('tr', { hasText: 'pedestrians-4min.mp4' });
      await row.waitFor();
      expect(Number(await row.locator('[data-bytes]').getAttribute('data-bytes'))).toBe(size);
      const fileId = (await row.getAttribute('data-file-id'))!;
      const file = (await api('GET', `/media?appId=appA&userId=${USER}`)).json.files[0];
      expect(file).toMatchObject({ fileId, size, status: 'ready' });
      // What the player asks for: the presigned URL as JSON (fetch() cannot read a redirect's Location).
      const asJson = await api('GET', `/media/${fileId}?redirect=false`);
      expect(asJson.status).toBe(200);
      expect(asJson.json).toEqual({ fileId, url: expect.stringMatching(/^https?:\/\//) });
      const bad = await api('GET', `/media/${fileId}?redirect=maybe`);
      expect(bad.status).toBe(400);
      expect(bad.json.details[0]).toMatchObject({ path: 'query.redirect' });

      // Group totals went up by this file.
      const rowOf = page.locator(`tr[data-group="${file.group}"]`);
      const was = before.find((g) => g.name === file.group)!;
      await expect.poll(async () => Number(await rowOf.locator('[data-files]').getAttribute('data-files'))).toBe(was.files + 1);
      expect(Number(await rowOf.locator('[data-bytes]').getAttribute('data-bytes'))).toBe(was.bytes + size);

      await row.getByRole('button', { name: /^Play/ }).click();
      const player = page.locator('.media-player video');
      await player.waitFor();
      await page.waitForFunction("document.querySelector('.media-player video').readyState >= 1", undefined, { timeout: 30_000 });
      const seeked = await page.evaluate(`new Promise((ok, fail) => {
        const v = document.querySelector('.media-player video');
        v.addEventListener('seeked', () => ok({ t: v.currentTime, ready: v.readyState, duration: v.duration }), { once: true });
        v.addEventListener('error', () => fail(new Error('video error ' + v.error?.code)), { once: true });
        v.currentTime = 20;
      })`) as { t: number; ready: number; duration: number };
      expect(seeked.t).toBeGreaterThanOrEqual(20);
      expect(seeked.duration).toBeGreaterThan(200);
      await page.waitForFunction("document.querySelector('.media-player video').readyState >= 2", undefined, { timeout: 30_000 });
      await page.evaluate("(v => { v.muted = true; return v.play(); })(document.querySelector('.media-player video'))");
      await page.waitForFunction("document.querySelector('.media-player video').currentTime > 20.5", undefined, { timeout: 30_000 });

      await screenshot(page, 'console-media-desktop');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await row.getByRole('button', { name: /^Delete/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      expect(await row.count()).toBe(1);
      await row.getByRole('button', { name: /^Delete/ }).click();
      await screenshot(page, 'console-media-confirm');
      await page.getByRole('dialog').getByRole('button', { name: 'Delete for good' }).click();
      await page.getByText('No files yet').waitFor();
      expect((await api('GET', `/media/${fileId}`)).status).toBe(404);
      await expect.poll(async () => Number(await rowOf.locator('[data-files]').getAttribute('data-files'))).toBe(was.files);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  }, 240_000);

  it('is readable on a phone and shows the API message for a bad user name', async () => {
    const b = await openConsole('/media', { viewport: PHONE });
    try {
      const { page } = b;
      await page.getByRole('heading', { name: 'Storage groups' }).waitFor();
      await page.getByLabel('User').fill('no spaces allowed');
      await page.getByRole('button', { name: 'Show files' }).click();
      await page.locator('#user-err').waitFor();
      expect(await page.locator('#user-err').textContent()).toMatch(/userId/);
      await expectReadableOnPhone(page, 'console-media-phone');
    } finally {
      await b.close();
    }
  }, 120_000);
});
