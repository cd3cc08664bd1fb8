import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate } from '@readme/openapi-parser';
import { loadService, type ServiceConfig } from '../../../infra/local/service.js';
import { buildDocument, openApiPath, statusesOf } from '../../../infra/openapi/document.js';
import { clientTypes, TYPES_FILE } from '../../../infra/openapi/types.js';
import { routes, routeKey } from '../../../shared/api/index.js';

const root = resolve(import.meta.dirname, '../../..');
let svc: ServiceConfig;
const doc = buildDocument();

beforeAll(async () => {
  svc = await loadService('local'); // `osls print`, offline
}, 60_000);

/** `METHOD /path` of every httpApi event of the resolved serverless.yml, with its function. */
function serverlessRoutes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, fn] of Object.entries(svc.functions)) {
    for (const ev of fn.events ?? []) {
      const h = ev.httpApi as { method: string; path: string } | undefined;
      if (h) out.set(`${h.method.toUpperCase()} ${h.path}`, name);
    }
  }
  return out;
}

function documentRoutes(): string[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item as object).filter((m) => ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
}

describe('the OpenAPI document', () => {
  it('has every route of serverless.yml, and no other', () => {
    const declared = [...serverlessRoutes().keys()].map((k) => { const [m, p] = k.split(' '); return `${m} ${openApiPath(p!)}`; }).sort();
    const documented = documentRoutes().sort();
    expect(documented.filter((r) => !declared.includes(r)), 'in the document, not in serverless.yml').toEqual([]);
    expect(declared.filter((r) => !documented.includes(r)), 'in serverless.yml, not in the document').toEqual([]);
    expect(documented.length).toBe(routes.length);
  });

  it('matches serverless.yml route keys exactly (greedy parameters included)', () => {
    expect([...serverlessRoutes().keys()].sort()).toEqual(routes.map(routeKey).sort());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const r = await validate(JSON.parse(JSON.stringify(doc)));
    expect(r.valid ? [] : r.errors).toEqual([]);
  });

  it('declares the x-api-key scheme on every route that needs a key, and the error body for every error status', () => {
    expect(doc.components?.securitySchemes?.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    const open = routes.filter((r) => r.auth === 'none').map(routeKey).sort();
    expect(open).toEqual(['GET /docs', 'GET /docs/redoc.js', 'GET /features/health', 'GET /health', 'GET /openapi.json']);
    for (const r of routes) {
      const op = (doc.paths as any)[openApiPath(r.url)][r.method.toLowerCase()];
      expect(op.security, routeKey(r)).toEqual(r.auth === 'apiKey' ? [{ apiKey: [] }] : []);
      if (r.auth === 'apiKey') expect(Object.keys(op.responses), routeKey(r)).toContain('401');
      for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
        if (['400', '401', '403', '404', '409', '413', '500'].includes(status) && r.method !== 'HEAD' && !(r.url === '/photos' && status === '400')) {
          // 413: ours, or the gateway's own answer when the body is over its 10 MB limit.
          const schema = status === '413' ? { anyOf: [{ $ref: '#/components/schemas/Error' }, { $ref: '#/components/schemas/GatewayError' }] } : { $ref: '#/components/schemas/Error' };
          expect(res.content?.['application/json']?.schema, `${routeKey(r)} ${status}`).toEqual(schema);
        }
      }
    }
  });

  it('documents 400 for every route that validates input, and the request schemas the handlers use', () => {
    for (const r of routes) {
      const statuses = Object.keys(statusesOf(r));
      if (r.path || r.query || r.body || r.documentBody || r.rawBody) expect(statuses, routeKey(r)).toContain('400');
    }
    const ids = (doc.paths as any)['/ids/{key}'].post;
    expect(ids.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ in: 'path', name: 'key', required: true, schema: expect.objectContaining({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }) }),
      expect.objectContaining({ in: 'query', name: 'count', schema: expect.objectContaining({ minimum: 1, maximum: 1000 }) }),
    ]));
    const upload = (doc.paths as any)['/media/uploads'].post.requestBody.content['application/json'];
    expect(upload.schema.required).toEqual(['appId', 'userId', 'fileName', 'size']);
    expect(upload.example).toEqual(JSON.parse(JSON.parse(readFileSync(resolve(root, 'events/media-create-upload.json'), 'utf8')).body));
  });

  it('has unique operation ids', () => {
    const ids = routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is what the HTTP handlers validate with: each HTTP function hands its route to httpHandler', () => {
    for (const [key, fnName] of serverlessRoutes()) {
      const handler = svc.functions[fnName]!.handler!;
      const file = resolve(root, handler.replace(/^dist\//, '').replace(/\.[^.]+$/, '.ts'));
      const src = readFileSync(file, 'utf8');
      expect(src, `${key} (${file})`).toMatch(/from '\.\.\/\.\.\/shared\/api\/[a-z]+\.js'/);
      expect(src, `${key} (${file})`).toMatch(/httpHandler\(api\.[A-Za-z]+,/);
    }
  });

  it('keeps the generated client types (cli/api/schema.ts) up to date: npm run openapi:types', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(await clientTypes(doc));
  }, 60_000);
});
