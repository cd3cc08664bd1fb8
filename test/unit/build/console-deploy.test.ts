import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIR, IMMUTABLE, REVALIDATE, parseOutputs, planUpload, type Upload } from '../../../infra/console/deploy.js';

// The real Vite build (npm run build); what `npm run console:deploy` would put in the console bucket.
const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

describe('console:deploy upload plan (dist/console)', () => {
  let plan: Upload[] = [];
  let byKey = new Map<string, Upload>();
  beforeAll(() => {
    plan = planUpload(`${API}/`); // throws "run npm run build first" without a build
    byKey = new Map(plan.map((u) => [u.key, u]));
  });

  it('uploads every built file once, plus config.json', () => {
    const built = readdirSync(CONSOLE_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    expect(plan).toHaveLength(built + (existsSync(join(CONSOLE_DIR, 'config.json')) ? 0 : 1));
    expect(byKey.size).toBe(plan.length);
    expect(plan.at(-1)!.key).toBe('index.html'); // last, after the assets it names
  });

  it('config.json names the stage API and nothing else (no key)', () => {
    const c = byKey.get('config.json')!;
    expect(JSON.parse(c.body.toString())).toEqual({ api: API });
    expect(c).toMatchObject({ contentType: 'application/json; charset=utf-8', cacheControl: REVALIDATE });
  });

  it('index.html is revalidated; hashed assets are immutable, with their content types', () => {
    expect(byKey.get('index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: REVALIDATE });
    const assets = plan.filter((u) => u.key.startsWith('assets/'));
    expect(assets.length).toBeGreaterThan(2);
    for (const a of assets) {
      expect(a.key).toMatch(/-[A-Za-z0-9_-]{8}\.\w+$/); // Vite's content hash in the name
      expect(a.cacheControl).toBe(IMMUTABLE);
    }
    expect(assets.some((a) => a.key.endsWith('.js') && a.contentType === 'text/javascript; charset=utf-8')).toBe(true);
    expect(assets.some((a) => a.key.endsWith('.css') && a.contentType === 'text/css; charset=utf-8')).toBe(true);
  });

  it('every script and stylesheet index.html references is in the upload', () => {
    const html = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(byKey.has(r), r).toBe(true);
  });

  it('refuses a non-https API', () => {
    expect(() => planUpload('http://abc123.execute-api.eu-west-1.amazonaws.com')).toThrow(/https/);
  });
});

describe('stack outputs from osls info --verbose', () => {
  it('reads the outputs section', () => {
    const info = [
      'service: panoptes', 'stage: dev', 'endpoints:', '  GET - https://x.execute-api.us-east-1.amazonaws.com/cameras',
      'Stack Outputs:', '  HttpApiUrl: https://x.execute-api.us-east-1.amazonaws.com',
      '  ConsoleBucket: panoptes-dev-console', '  ConsoleUrl: https://d111.cloudfront.net', '',
    ].join('\n');
    expect(parseOutputs(info)).toEqual({
      HttpApiUrl: 'https://x.execute-api.us-east-1.amazonaws.com', ConsoleBucket: 'panoptes-dev-console', ConsoleUrl: 'https://d111.cloudfront.net',
    });
  });
});
