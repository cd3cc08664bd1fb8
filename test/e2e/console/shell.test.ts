import '../../support/env.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { hasChromium, openBrowser, openConsole, PHONE, seriousA11yViolations, expectReadableOnPhone } from '../../support/browser.js';
import { DEV_KEY, stackInfo } from '../../support/env.js';
import { api } from '../../support/http.js';

describe.runIf(hasChromium)('console shell (real Chromium)', () => {
  // A camera without any clip: its card shows the "no snapshot yet" placeholder, which the a11y scans cover.
  beforeAll(async () => {
    const res = await api('PUT', `/cameras/shell-${randomUUID().slice(0, 8)}`, { body: { name: 'Shell test camera' } });
    expect(res.status).toBeLessThan(300);
  });

  it('asks for the key, keeps it for the tab only, then shows the camera wall', async () => {
    const b = await openBrowser();
    try {
      await b.page.goto(stackInfo().consoleUrl, { waitUntil: 'load' });
      await b.page.getByLabel('API key').fill(DEV_KEY);
      await b.page.getByRole('button', { name: 'Open the console' }).click();
      await b.page.getByRole('heading', { name: 'Cameras', level: 1 }).waitFor();
      expect(await b.page.evaluate("sessionStorage.getItem('panoptes.apiKey')")).toBe(DEV_KEY);
      expect(await b.page.evaluate('localStorage.length')).toBe(0);
      expect(await seriousA11yViolations(b.page)).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('a wrong key gets the API 401 message, not a blank page', async () => {
    const b = await openConsole('/', { key: 'not-a-key' });
    try {
      await b.page.getByRole('alert').waitFor();
      expect(await b.page.getByRole('alert').textContent()).toMatch(/401/);
    } finally {
      await b.close();
    }
  });

  it('is keyboard-usable and readable on a phone (390×844)', async () => {
    const b = await openConsole('/', { viewport: PHONE });
    try {
      await b.page.getByRole('heading', { name: 'Cameras', level: 1 }).waitFor();
      await b.page.keyboard.press('Tab');
      expect(await b.page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      // No horizontal scrolling on a phone.
      await expectReadableOnPhone(b.page, 'console-phone-cameras');
    } finally {
      await b.close();
    }
  });

  it('an unknown address shows "Not found" with a way back', async () => {
    const b = await openConsole('/no/such/page');
    try {
      await b.page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await b.page.getByRole('link', { name: 'Back to the cameras' }).count()).toBe(1);
    } finally {
      await b.close();
    }
  });
});
