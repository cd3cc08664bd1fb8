import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { hasChromium, openConsole, PHONE, screenshot, seriousA11yViolations, expectReadableOnPhone } from '../../support/browser.js';
import { api } from '../../support/http.js';
import { allInS3, device, hoursAgo, invoke, peers, writeCaptures } from '../ftp/helpers.js';

describe.runIf(hasChromium)('console FTP migration page (real Chromium)', () => {
  it("shows a migrated device's history, finds a file with its S3 URL, and the last scan and cleanup", async () => {
    const dev = device('CON');
    // 2 hours × 2 captures × 3 files = 12 files of one device, notified and migrated by the real consumer.
    const tree = writeCaptures({ devices: [dev], hours: [hoursAgo(2), hoursAgo(1)], captures: 2 });
    expect((await api('POST', '/ftp/notify', { body: tree.map((f) => ({ server: 'e2e', path: f.rel })) })).status).toBe(202);
    await allInS3(tree, `${tree.length} files of ${dev} in S3`);
    // The other server cannot notify: the scanner finds its new files (settled 10 minutes ago).
    const scanned = writeCaptures({ root: peers().ftpScanRoot!, devices: [device('CSC')], hours: [hoursAgo(1)], captures: 2, mtime: new Date(Date.now() - 10 * 60_000) });
    const scan = await invoke<{ reports: Array<{ server: string; queued: number; errors: string[] }> }>('ftpScan', { servers: ['e2escan'] });
    expect(scan.reports[0]).toMatchObject({ server: 'e2escan', queued: scanned.length, errors: [] });
    await allInS3(scanned, 'scanned files migrated', 120_000);
    // Everything migrated more than a second ago is old enough: this stack's FTP copies go.
    await new Promise((r) => setTimeout(r, 1100));
    const cleanup = await invoke<{ deleted: number; examined: number }>('ftpCleanup', { retention: '1s' });
    expect(cleanup.deleted).toBeGreaterThanOrEqual(tree.length + scanned.length);
    const status = await api('GET', '/ftp/status');
    expect(status.status).toBe(200);
    expect(status.json.cleanup).toMatchObject({ deleted: cleanup.deleted, examined: cleanup.examined, dryRun: false });
    expect(status.json.scans.find((s: { server: string }) => s.server === 'e2escan').last).toMatchObject({ server: 'e2escan', queued: scanned.length, errorCount: 0 });

    const b = await openConsole('/ftp');
    try {
      const { page } = b;
      // Scan and cleanup state.
      const scanRow = page.locator('tr[data-server="e2escan"]');
      await scanRow.waitFor();
      expect(await scanRow.textContent()).not.toMatch(/never/);
      expect(await scanRow.locator('[data-queued]').getAttribute('data-queued')).toBe(String(scanned.length));
      expect(await page.locator('[data-deleted]').getAttribute('data-deleted')).toBe(String(cleanup.deleted));

      // History, newest first.
      await page.getByLabel('Device', { exact: true }).fill(dev);
      await page.getByRole('button', { name: 'Show history' }).click();
      const rows = page.locator('.ftp-history tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(tree.length);
      const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-file-name')));
      expect(new Set(names)).toEqual(new Set(tree.map((f) => f.fileName)));
      expect(await page.locator('.ftp-history').getByText('S3', { exact: true }).count()).toBe(tree.length);

      // Lookup by name: in S3, with a URL that serves the very bytes.
      const f = tree[0]!;
      await page.getByLabel('File name').fill(f.fileName);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      const found = page.getByLabel('The file found');
      await found.waitFor();
      expect(await found.getByText('S3', { exact: true }).count()).toBe(1);
      const href = await found.locator('a.file-url').getAttribute('href');
      const body = await page.request.get(new URL(href!, page.url()).toString());
      expect(body.status()).toBe(200);
      expect(Buffer.from(await body.body()).equals(f.bytes)).toBe(true);

      await screenshot(page, 'console-ftp-desktop');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // An unknown name says so; a malformed one gets the API's field message.
      await page.getByLabel('File name').fill('2001_01_01_00_00_00_1_0.jpg');
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await page.getByText('no image 2001_01_01_00_00_00_1_0.jpg').waitFor();
      await page.getByLabel('File name').fill('not-a-camera-file.txt');
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await page.locator('#name-err').waitFor();
      expect(await page.locator('#name-err').textContent()).toMatch(/fileName must look like/);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }

    const phone = await openConsole('/ftp', { viewport: PHONE });
    try {
      const { page } = phone;
      await page.locator('tr[data-server="e2escan"]').waitFor();
      await page.getByLabel('Device', { exact: true }).fill(dev);
      await page.getByRole('button', { name: 'Show history' }).click();
      await page.locator('.ftp-history tbody tr').first().waitFor();
      await expectReadableOnPhone(page, 'console-ftp-phone');
    } finally {
      await phone.close();
    }
  }, 300_000);
});
