/**
 * Real headless Chromium (Debian's package, driven by playwright-core) for the console and docs
 * tests: a fresh profile per context, the flags this machine needs, screenshots into test-results/
 * (git-ignored) and an axe-core scan that the tests assert has no serious or critical violation.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium.js';
import { DEV_KEY, stackInfo } from './env.js';

export { CHROMIUM, hasChromium } from './chromium.js';
export const SHOTS = resolve(import.meta.dirname, '../../test-results');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(o: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const { context, close } = await launchChromium(o.viewport ?? DESKTOP);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return {
    context,
    page,
    errors,
    close,
  };
}

/** Opens the console at `path` with the key already entered (sessionStorage, as the key form does). */
export async function openConsole(path = '/', o: { key?: string; viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const b = await openBrowser(o);
  const base = stackInfo().consoleUrl;
  await b.page.addInitScript((key) => sessionStorage.setItem('panoptes.apiKey', key), o.key ?? DEV_KEY);
  await b.page.goto(base + path, { waitUntil: 'load' });
  return b;
}

export async function screenshot(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: o.fullPage ?? true });
  return path;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (ids with their targets). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  // A string, not a function: this file is compiled without the DOM's types.
  const violations = await page.evaluate<{ id: string; impact: string; nodes: { target: string[] }[] }[]>('axe.run().then((r) => r.violations)');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** On a phone: the page does not scroll sideways, a screenshot is kept, and axe finds nothing serious. */
export async function expectReadableOnPhone(page: Page, name: string): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  await screenshot(page, name);
  expect(await seriousA11yViolations(page)).toEqual([]);
}
