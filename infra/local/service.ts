import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';

/** The resolved serverless.yml: the single source of truth for functions and resources. */
export interface CfnResource {
  Type: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, unknown>;
}
export interface FunctionDef {
  name?: string;
  handler?: string;
  image?: unknown;
  timeout?: number;
  reservedConcurrency?: number;
  events?: Array<Record<string, unknown>>;
  environment?: Record<string, unknown>;
  iamRoleStatements?: Array<{ Effect: string; Action: string[] | string; Resource: unknown }>;
}
export interface ServiceConfig {
  service: string;
  plugins?: string[];
  provider: { stage: string; region: string; timeout?: number; environment?: Record<string, unknown> };
  custom: Record<string, unknown>;
  functions: Record<string, FunctionDef>;
  resources: { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
}

const root = resolve(import.meta.dirname, '../..');

/**
 * An `imageUri` for resolving an AWS stage where no image is built or deployed (packaging the zip
 * functions, reading a function's environment): it satisfies osls's ECR URI pattern and names nothing.
 */
export const PLACEHOLDER_IMAGE =
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/panoptes@sha256:0000000000000000000000000000000000000000000000000000000000000000';

/**
 * Resolves serverless.yml with osls (offline: `print` contacts no cloud for the local stage). An AWS stage
 * needs its --param values (e.g. imageUri) to resolve.
 */
export async function loadService(stage = 'local', params: Record<string, string> = {}): Promise<ServiceConfig> {
  const { stdout } = await promisify(execFile)(
    resolve(root, 'node_modules/.bin/osls'),
    ['print', '--stage', stage, '--format', 'json', ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)],
    { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } },
  );
  return JSON.parse(stdout) as ServiceConfig;
}

/** Logical id → resource, for resolving Ref / Fn::GetAtt in event definitions. */
export function resourceByLogicalId(svc: ServiceConfig, id: string): CfnResource {
  const r = svc.resources.Resources[id];
  if (!r) throw new Error(`serverless.yml references unknown resource ${id}`);
  return r;
}

/** The logical id behind `!GetAtt X.Arn`, `!Ref X` or an ARN string naming a resource. */
export function logicalIdOf(ref: unknown): string | undefined {
  if (ref && typeof ref === 'object') {
    const o = ref as Record<string, unknown>;
    if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
    if (typeof o['Fn::GetAtt'] === 'string') return o['Fn::GetAtt'].split('.')[0];
    if (typeof o.Ref === 'string') return o.Ref;
  }
  return undefined;
}
