import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startEmulators, LOCAL_CREDENTIALS, type Emulators } from './emulators.js';
import { loadService, type ServiceConfig } from './service.js';
import { provision, type Provisioned } from './provision.js';
import { startEventSources, type EventSources } from './event-sources.js';
import { guardChildren } from './reaper.js';

const root = resolve(import.meta.dirname, '../..');
export const REGION = 'us-east-1';

export interface StackOptions {
  dynamoPort: number;
  fauxqsPort: number;
  httpPort: number;
  lambdaPort: number;
  persistDir?: string;
  /** Extra environment for the functions (e.g. PHOTOS_REPORT_URL of a test receiver). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** Print serverless-offline's own output. */
  verbose?: boolean;
}

export interface LocalStack {
  httpUrl: string;
  lambdaUrl: string;
  awsEndpoint: string;
  dynamoEndpoint: string;
  env: Record<string, string>;
  svc: ServiceConfig;
  provisioned: Provisioned;
  emulators: Emulators;
  stop(): Promise<void>;
}

/** Environment that points the AWS SDK (ours and the functions') at the emulators. */
export function emulatorEnv(e: { awsEndpoint: string; dynamoEndpoint: string }): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: e.awsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamoEndpoint,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

export function clientsFor(env: Record<string, string>) {
  const base = { region: REGION, credentials: LOCAL_CREDENTIALS };
  return {
    dynamo: new DynamoDBClient({ ...base, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }),
    sqs: new SQSClient({ ...base, endpoint: env.AWS_ENDPOINT_URL, useQueueUrlAsEndpoint: false }),
    s3: new S3Client({ ...base, endpoint: env.AWS_ENDPOINT_URL, forcePathStyle: true }),
    sns: new SNSClient({ ...base, endpoint: env.AWS_ENDPOINT_URL }),
  };
}

/** Emulators up and every declared resource provisioned: what integration tests need. */
export async function startCloud(opts: Pick<StackOptions, 'dynamoPort' | 'fauxqsPort' | 'persistDir'>) {
  const [svc, emulators] = await Promise.all([
    loadService('local'),
    startEmulators({ ...opts, stateDir: resolve(root, '.local') }),
  ]);
  try {
    const env = emulatorEnv(emulators);
    const provisioned = await provision(svc, clientsFor(env));
    return { svc, emulators, env, provisioned };
  } catch (err) {
    await emulators.stop();
    throw err;
  }
}

/** The whole local stack: emulators, resources, functions (serverless-offline) and event sources. */
export async function startStack(opts: StackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => undefined);
  const { svc, emulators, env: awsEnv, provisioned } = await startCloud(opts);
  const env: Record<string, string> = { ...awsEnv, ...(opts.env ?? {}) };
  let offline: ChildProcess | undefined;
  let sources: EventSources | undefined;
  const stop = async () => {
    await sources?.stop();
    if (offline && offline.exitCode === null) {
      const gone = new Promise((r) => offline!.once('exit', r));
      offline.kill('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
      if (offline.exitCode === null) offline.kill('SIGKILL');
    }
    await emulators.stop();
  };
  try {
    offline = spawn(resolve(root, 'node_modules/.bin/osls'), [
      'offline', 'start', '--stage', 'local',
      '--httpPort', String(opts.httpPort), '--lambdaPort', String(opts.lambdaPort),
      // Keep containers warm locally: models load once, like a busy Lambda.
      '--terminateIdleLambdaTime', '3600',
    ], {
      cwd: root,
      env: { ...process.env, ...env, HTTP_PORT: String(opts.httpPort), LAMBDA_PORT: String(opts.lambdaPort), SLS_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    guardChildren([offline.pid]);
    await waitForOffline(offline, opts.httpPort, opts.verbose ? log : undefined);
    const lambda = new LambdaClient({ region: REGION, credentials: LOCAL_CREDENTIALS, endpoint: `http://127.0.0.1:${opts.lambdaPort}` });
    const c = clientsFor(env);
    sources = startEventSources({ svc, provisioned, sqs: c.sqs, s3: c.s3, lambda, fauxqs: emulators.fauxqs, region: REGION, log });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    httpUrl: `http://127.0.0.1:${opts.httpPort}`,
    lambdaUrl: `http://127.0.0.1:${opts.lambdaPort}`,
    awsEndpoint: emulators.awsEndpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    env,
    svc,
    provisioned,
    emulators,
    stop,
  };
}

async function waitForOffline(child: ChildProcess, httpPort: number, log?: (l: string) => void): Promise<void> {
  let output = '';
  const onData = (d: Buffer) => {
    const text = d.toString();
    output = (output + text).slice(-8000);
    if (log) text.split('\n').filter(Boolean).forEach((l) => log(`[offline] ${l}`));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/health`);
      if (res.status === 200 || res.status === 503) return;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`serverless-offline did not start within 60 s:\n${output}`);
}
