/**
 * A separate process that allocates IDs and appends them to a file as it goes, so that a process
 * killed mid-block leaves behind exactly what it handed out. Usage:
 *   id-worker <key> <count> <outFile> [pauseEvery] [pauseMs]
 */
import { appendFileSync } from 'node:fs';
import { IdAllocator } from '../../shared/ids/allocator.js';
import { ddb } from '../../shared/platform/aws.js';

const [key, countArg, out, pauseEveryArg, pauseMsArg] = process.argv.slice(2);
const count = Number(countArg);
const pauseEvery = Number(pauseEveryArg ?? 0);
const pauseMs = Number(pauseMsArg ?? 0);
const alloc = new IdAllocator({ table: process.env.IDS_TABLE!, client: ddb() });
let buf: number[] = [];
for (let i = 1; i <= count; i++) {
  buf.push(await alloc.nextId(key!));
  if (buf.length === 500 || i === count || (pauseEvery && i % pauseEvery === 0)) {
    appendFileSync(out!, buf.join('\n') + '\n');
    buf = [];
  }
  if (pauseEvery && i % pauseEvery === 0) await new Promise((r) => setTimeout(r, pauseMs));
}
process.stdout.write(JSON.stringify({ writes: alloc.writes }) + '\n');
