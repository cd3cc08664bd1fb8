import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { ddb } from '../../../shared/platform/aws.js';
import { stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import type { Received } from '../../support/peers/receiver.js';
import { resource } from '../../support/names.js';

/** Shared by the photo e2e tests: peers' URLs, record polling, the receiver's log, Lambda invokes. */
export const TABLE = resource('photos');
export const peers = () => stackInfo().peers as Record<'photoFiles' | 'photoReceiver' | 'photoUnreachable', string>;
export const unique = () => randomUUID().slice(0, 8);
export const fixtureUrl = (name: string, tag = unique()) => `${peers().photoFiles}/fixtures/${name}?t=${tag}`;

export async function announce(photo: { photoUrl: string; cameraCode: string; callTime?: string | number }) {
  const r = await api('POST', '/photos', { body: { callTime: new Date().toISOString(), ...photo } });
  if (r.status !== 202) throw new Error(`POST /photos → ${r.status} ${r.text}`);
  return r.json.id as number;
}

export async function record(id: number) {
  const r = await api('GET', `/photos/${id}`);
  return r.status === 200 ? r.json : undefined;
}

/** Waits until the record satisfies `done` (default: reported or failed). */
export function settle(id: number, done: (r: any) => boolean = (r) => r.status === 'done' || r.status === 'failed', timeoutMs = 120_000) {
  return eventually(async () => {
    const r = await record(id);
    return r && done(r) ? r : undefined;
  }, `photo ${id} to settle`, timeoutMs, 300);
}

export async function received(path = '/report'): Promise<Received[]> {
  const r = await fetch(`${peers().photoReceiver}/_requests?path=${encodeURIComponent(path)}`);
  return (await r.json()) as Received[];
}

export async function reportsFor(id: number) {
  return (await received()).filter((r) => JSON.parse(r.body).id === id);
}

export async function controlReceiver(failFirst: number, status = 500) {
  await fetch(`${peers().photoReceiver}/_control`, { method: 'POST', body: JSON.stringify({ path: '/report', failFirst, status }) });
}

export async function hits(url: string): Promise<number> {
  const u = new URL(url);
  const r = await fetch(`${peers().photoFiles}/_hits?url=${encodeURIComponent(u.pathname + u.search)}`);
  return ((await r.json()) as { count: number }).count;
}

/** Items in the photos table whose photoUrl contains `marker` (records and nothing else carry it). */
export async function recordsWith(marker: string) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({
      TableName: TABLE,
      FilterExpression: 'contains(photoUrl, :m) OR contains(cameraCode, :m)',
      ExpressionAttributeValues: { ':m': marker },
      ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
    }));
    items.push(...(r.Items ?? []));
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export async function invoke<T>(lambdaUrl: string, functionName: string, payload: unknown = {}): Promise<T> {
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: lambdaUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const r = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
    const text = Buffer.from(r.Payload ?? []).toString('utf8');
    if (r.FunctionError) throw new Error(`${functionName} failed: ${text}`);
    return JSON.parse(text) as T;
  } finally {
    lambda.destroy();
  }
}

export interface HandCounts {
  images: Record<string, { count: number }>;
}
