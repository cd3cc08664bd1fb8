import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { buildDocument } from '../../../infra/openapi/document.js';
import { api } from '../../support/http.js';
import { stackInfo } from '../../support/env.js';
import { hasChromium, openBrowser, screenshot } from '../../support/browser.js';

describe('the API contract, served', () => {
  it('GET /openapi.json (no key) is a valid OpenAPI 3.1 document: the one built from the routes', async () => {
    const res = await api('GET', '/openapi.json', { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const r = await validate(structuredClone(res.json));
    expect(r.valid ? [] : r.errors).toEqual([]);
    expect(res.json.openapi).toBe('3.1.0');
    expect(res.json).toEqual(JSON.parse(JSON.stringify(buildDocument())));
  });

  it('GET /docs (no key) is a page that loads only our own script, no CDN', async () => {
    const page = await api('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const js = await api('GET', '/docs/redoc.js', { key: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.text.length).toBeGreaterThan(1_000_000); // the whole renderer (~2.3 MB), not a loader
    expect(js.text).toContain('Redoc');
  });

  it.runIf(hasChromium)('GET /docs renders the reference in headless Chromium (screenshot in test-results/)', async () => {
    const { context, page, close } = await openBrowser({ viewport: { width: 1400, height: 900 } });
    const outside: string[] = [];
    try {
      const base = new URL(stackInfo().httpUrl);
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.host === base.host || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
        outside.push(u.href);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${stackInfo().httpUrl}/docs`, { waitUntil: 'load' });
      await page.getByText('panoptes API', { exact: false }).first().waitFor({ timeout: 60_000 });
      // The operation's own section (its sidebar entry is in a collapsed, hidden tag group).
      await page.getByRole('heading', { name: /State of each dependency/ }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'docs', { fullPage: false });
      expect(errors).toEqual([]);
      expect(await page.getByText('x-api-key', { exact: false }).count()).toBeGreaterThan(0);
    } finally {
      await close();
    }
    // Fonts and the like stay local too: the page asked nothing of any other host.
    expect(outside).toEqual([]);
  }, 120_000);
});
