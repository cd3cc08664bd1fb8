import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadService, type ServiceConfig, logicalIdOf } from '../../../infra/local/service.js';

const root = resolve(import.meta.dirname, '../../..');
let svc: ServiceConfig;

beforeAll(async () => {
  svc = await loadService('local'); // `osls print`, offline
}, 60_000);

const NAME_PROPS = ['TableName', 'QueueName', 'BucketName', 'TopicName'];

function nameOf(logicalId: string): string {
  const r = svc.resources.Resources[logicalId];
  if (!r) throw new Error(`unknown resource ${logicalId}`);
  for (const p of NAME_PROPS) if (r.Properties?.[p]) return String(r.Properties[p]);
  throw new Error(`resource ${logicalId} has no name property`);
}

/** Names of the resources one IAM Resource entry points at. */
function resourceNames(resource: unknown): string[] {
  const id = logicalIdOf(resource);
  if (id) return [nameOf(id)];
  const sub = (resource as Record<string, unknown>)?.['Fn::Sub'];
  const text = typeof resource === 'string' ? resource : typeof sub === 'string' ? sub : undefined;
  if (!text) throw new Error(`unrecognised IAM resource form: ${JSON.stringify(resource)}`);
  const refs = [...text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)].map((m) => m[1]!).filter((r) => !r.startsWith('AWS'));
  if (refs.length) return refs.map(nameOf);
  const s3 = /^arn:aws:s3:::([^/]+)/.exec(text);
  if (s3) return [s3[1]!];
  const other = /^arn:aws:(?:sqs|sns|dynamodb|ssm|secretsmanager|ecr):[^:]*:[^:]*:(?:table\/|parameter\/|secret:)?([^/]+)/.exec(text);
  if (other) return [other[1]!];
  throw new Error(`unrecognised IAM resource: ${text}`);
}

/** What a function may name: its own environment, the shared provider environment, its event sources. */
function ownNames(fnKey: string): Set<string> {
  const fn = svc.functions[fnKey]!;
  const names = new Set<string>();
  const addValue = (v: unknown) => {
    if (typeof v === 'string') v.split(/[,;\s]/).forEach((s) => s && names.add(s));
    else if (v && typeof v === 'object') {
      const id = logicalIdOf(v);
      if (id) names.add(nameOf(id));
    }
  };
  Object.values(fn.environment ?? {}).forEach(addValue);
  Object.values(svc.provider.environment ?? {}).forEach(addValue);
  for (const ev of fn.events ?? []) {
    const src = (ev.sqs ?? ev.stream) as Record<string, unknown> | string | undefined;
    if (src) addValue(typeof src === 'string' ? src : logicalIdOf(src.arn) ? src.arn : undefined);
    const s3 = ev.s3 as Record<string, unknown> | undefined;
    if (s3?.bucket) names.add(String(s3.bucket));
  }
  return names;
}

describe('serverless.yml', () => {
  it('resolves offline with osls and declares the core pieces', () => {
    expect(svc.service).toBe('panoptes');
    expect(svc.provider.stage).toBe('local');
    expect(Object.keys(svc.functions)).toEqual(expect.arrayContaining(['health', 'ids']));
    expect(svc.resources.Resources.IdsTable?.Type).toBe('AWS::DynamoDB::Table');
  });

  it('every queue with a redrive policy points at a declared DLQ', () => {
    for (const [id, r] of Object.entries(svc.resources.Resources)) {
      if (r.Type !== 'AWS::SQS::Queue' || !r.Properties?.RedrivePolicy) continue;
      const rp = r.Properties.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      const dlq = logicalIdOf(rp.deadLetterTargetArn);
      expect(dlq && svc.resources.Resources[dlq]?.Type, id).toBe('AWS::SQS::Queue');
      expect(rp.maxReceiveCount, id).toBeGreaterThan(0);
    }
  });

  it('every zip function handler exists in the build', () => {
    for (const [key, fn] of Object.entries(svc.functions)) {
      if (!fn.handler) continue;
      const [file, exported] = [fn.handler.slice(0, fn.handler.lastIndexOf('.')), fn.handler.slice(fn.handler.lastIndexOf('.') + 1)];
      const path = resolve(root, `${file}.js`);
      expect(existsSync(path), `${key}: ${path}`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${key} exports ${exported}`).toMatch(new RegExp(`export (const|async function|function) ${exported}\\b|export \\{[^}]*\\b${exported}\\b`));
    }
  });

  it("each function's IAM statements name only its own resources, with no wildcards", () => {
    for (const [key, fn] of Object.entries(svc.functions)) {
      const own = ownNames(key);
      for (const st of fn.iamRoleStatements ?? []) {
        const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
        for (const a of actions) expect(a, `${key}: action ${a}`).not.toMatch(/^\*$|:\*$/);
        const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
        for (const r of resources) {
          expect(r, `${key}: Resource '*'`).not.toBe('*');
          for (const name of resourceNames(r)) expect(own.has(name), `${key} may not touch ${name}`).toBe(true);
        }
      }
    }
  });

  it('every resource has a name of its own (no table, queue, bucket or topic shares one)', () => {
    const seen = new Map<string, string>();
    for (const [id, r] of Object.entries(svc.resources.Resources)) {
      const prop = NAME_PROPS.find((p) => r.Properties?.[p]);
      if (!prop) continue;
      const name = String(r.Properties![prop]);
      expect(seen.get(name), `${id} and ${seen.get(name)} are both named ${name}`).toBeUndefined();
      seen.set(name, id);
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it('function names are <capability><Verb> and their variables carry the capability prefix', () => {
    // Variables without a prefix belong to the platform (shared/platform) or an engine; a capability may
    // read another's variable only where docs/DEVELOPING.md says it may (the camera registry).
    const platform = new Set(['API_KEYS', 'IDS_TABLE', 'RETRY_BASE_SECONDS', 'RETRY_MAX_SECONDS', 'PERSON_MODEL', 'NODE_OPTIONS', 'STAGE', 'SERVICE']);
    const capabilities = ['photos', 'media', 'clips', 'ftp', 'search', 'ids', 'api', 'health', 'probe'];
    const crossReads: Record<string, string[]> = { photos: ['CLIPS_CAMERAS_TABLE'] };
    for (const [key, fn] of Object.entries(svc.functions)) {
      const cap = capabilities.find((c) => key === c || new RegExp(`^${c}[A-Z]`).test(key));
      expect(cap, `${key}: name starts with a capability`).toBeDefined();
      for (const v of Object.keys(fn.environment ?? {})) {
        if (platform.has(v) || v.startsWith('POWERTOOLS_') || crossReads[cap!]?.includes(v)) continue;
        expect(v, `${key}: variable ${v}`).toMatch(new RegExp(`^${cap!.toUpperCase()}_`));
      }
    }
  });
});
