/**
 * The contract: every answer the e2e helper receives is checked against the OpenAPI document
 * (infra/openapi/document.ts, built from the routes' own zod schemas): the route must exist, the
 * status must be declared, a JSON body must match the declared schema (ajv, JSON Schema 2020-12 as
 * OpenAPI 3.1 uses), and a route declaring no body must not send JSON.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildDocument, openApiPath, type OpenApiDocument } from '../../infra/openapi/document.js';
import { routes } from '../../shared/api/index.js';

// ajv-formats is CommonJS: its default export arrives as `.default` under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => void;

interface Operation {
  method: string;
  template: string;
  re: RegExp;
  literals: number;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

let cache: { doc: OpenApiDocument; ops: Operation[]; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (cache) return cache;
  const doc = buildDocument();
  const ops: Operation[] = [];
  const greedy = new Set(routes.filter((r) => r.url.includes('+}')).map((r) => openApiPath(r.url)));
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, { responses?: Operation['responses'] }>)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const re = new RegExp(`^${template.split(/(\{[^}]+\})/).map((part) => {
        if (!part.startsWith('{')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // A greedy parameter ({imageKey+} in serverless.yml) takes slashes too.
        return greedy.has(template) ? '(.+)' : '([^/]+)';
      }).join('')}$`);
      ops.push({ method: method.toUpperCase(), template, re, literals: template.replace(/\{[^}]+\}/g, '').length, responses: op.responses });
    }
  }
  // Literal segments win (GET /cameras/status before GET /cameras/{cameraId}).
  ops.sort((a, b) => b.literals - a.literals);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components ?? {} });
  cache = { doc, ops, ajv, validators: new Map() };
  return cache;
}

export function contractDocument(): OpenApiDocument {
  return load().doc;
}

/** The operation of the document that serves `method path` (path without the query). */
export function operationFor(method: string, path: string): Operation | undefined {
  const pathname = path.split('?')[0]!;
  return load().ops.find((o) => o.method === method.toUpperCase() && o.re.test(pathname));
}

/** Throws (naming the route, status and schema errors) when an answer breaks the contract. */
export function checkResponse(method: string, path: string, res: { status: number; headers: Headers; text: string; json: unknown }): void {
  const { ajv, validators } = load();
  const op = operationFor(method, path);
  const what = `${method} ${path} → ${res.status}`;
  if (!op) throw new Error(`contract: ${what}: no route of the OpenAPI document serves ${method} ${path.split('?')[0]}`);
  const declared = op.responses[String(res.status)] ?? op.responses.default;
  if (!declared) {
    throw new Error(`contract: ${what}: status ${res.status} is not declared for ${method} ${op.template} (declared: ${Object.keys(op.responses).join(', ')}); body: ${res.text.slice(0, 300)}`);
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const isJson = type === 'application/json';
  const schema = declared.content?.['application/json']?.schema;
  if (method.toUpperCase() === 'HEAD' || res.text === '') return;
  if (isJson && !schema) {
    throw new Error(`contract: ${what}: answered JSON, but ${method} ${op.template} ${res.status} declares ${Object.keys(declared.content ?? {}).join(', ') || 'no body'}`);
  }
  if (!isJson) {
    if (schema) throw new Error(`contract: ${what}: answered ${type || 'no content type'}, but the document declares application/json`);
    return;
  }
  const key = `${op.method} ${op.template} ${res.status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(schema));
    validators.set(key, validate);
  }
  if (!validate(res.json)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
    throw new Error(`contract: ${what}: body does not match the document's schema for ${key}: ${errors}; body: ${res.text.slice(0, 400)}`);
  }
}

/** `#/components/...` references point at the components registered as openapi.json. */
function rebase(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\/components\//g, '"$ref":"openapi.json#/components/')) as object;
}

export { openApiPath };
