import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { IdAllocator } from '../../../shared/ids/allocator.js';
import { ddb } from '../../../shared/platform/aws.js';
import { resource } from '../../support/names.js';

const root = resolve(import.meta.dirname, '../../..');
const table = resource('ids');
const tsx = resolve(root, 'node_modules/.bin/tsx');
const worker = resolve(root, 'test/support/id-worker.ts');

function runWorker(key: string, count: number, out: string, pause: [number, number] = [0, 0]) {
  const child = spawn(tsx, [worker, key, String(count), out, String(pause[0]), String(pause[1])], {
    env: { ...process.env, IDS_TABLE: table },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, done, stderr: () => stderr };
}

const readIds = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];

describe('ID allocator on DynamoDB Local', () => {
  it('hands out increasing ids within one allocator, from blocks', async () => {
    const alloc = new IdAllocator({ table, client: ddb(), initialStep: 50 });
    const key = `t-${randomUUID()}`;
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) ids.push(await alloc.nextId(key));
    expect(ids[0]).toBe(1);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    // 1000 ids from blocks of ≥ 50: far fewer writes than ids.
    expect(alloc.writes).toBeLessThanOrEqual(1000 / 50 + 1);
    expect(await alloc.nextIds(key, 5)).toHaveLength(5);
  });

  it('never repeats an id across concurrent callers of one allocator', async () => {
    const alloc = new IdAllocator({ table, client: ddb(), initialStep: 10 });
    const key = `t-${randomUUID()}`;
    const all = (await Promise.all(Array.from({ length: 50 }, () => alloc.nextIds(key, 37)))).flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('8 separate processes × 20,000 ids: no duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ids-'));
    const key = `procs-${randomUUID()}`;
    const runs = Array.from({ length: 8 }, (_, i) => runWorker(key, 20_000, join(dir, `w${i}.txt`)));
    const codes = await Promise.all(runs.map((r) => r.done));
    runs.forEach((r, i) => expect(codes[i], r.stderr()).toBe(0));
    const all = runs.flatMap((_, i) => readIds(join(dir, `w${i}.txt`)));
    expect(all).toHaveLength(160_000);
    expect(new Set(all).size).toBe(160_000);
  });

  it('a process killed mid-block and restarted: still no duplicates (gaps allowed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ids-kill-'));
    const key = `kill-${randomUUID()}`;
    const first = join(dir, 'first.txt');
    // Slow worker: pauses every 1,000 ids so it is surely mid-block when killed.
    const victim = runWorker(key, 100_000, first, [1_000, 50]);
    const other = runWorker(key, 20_000, join(dir, 'other.txt'));
    while (readIds(first).length < 3_000) await new Promise((r) => setTimeout(r, 50));
    victim.child.kill('SIGKILL');
    await victim.done;
    const handedOut = readIds(first);
    expect(handedOut.length).toBeLessThan(100_000);
    const restarted = runWorker(key, 20_000, join(dir, 'second.txt'));
    expect(await restarted.done).toBe(0);
    expect(await other.done).toBe(0);
    const all = [...handedOut, ...readIds(join(dir, 'second.txt')), ...readIds(join(dir, 'other.txt'))];
    expect(new Set(all).size).toBe(all.length);
    // The restarted process continues above everything the killed one could have held.
    expect(Math.min(...readIds(join(dir, 'second.txt')))).toBeGreaterThan(Math.max(...handedOut));
  });
});
