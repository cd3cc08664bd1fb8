/**
 * FTP → S3 migration throughput: 2,000 camera files (50–200 KB) on a local FTP server (ftp-srv)
 * into S3 (fauxqs), our backfill (verify + one conditional index write per file, DynamoDB Local)
 * beside `rclone copy --transfers N` at the same parallelism (N files in flight, N FTP connections)
 * on the same files into the same bucket, in the same run, and the ratio; then rclone's defaults
 * for context. Also printed: CPU ms per file of each process (ours, rclone, the services' node and
 * JVM) and where our files wait (wall time per step). `npx tsx bench/ftp.ts` prints the figures;
 * bench/run.ts imports benchFtp(). Knobs: FTP_BENCH_FILES, FTP_BENCH_CONNECTIONS,
 * FTP_BENCH_CONCURRENCY (default = connections), FTP_BENCH_DEFAULTS=0 (skip the defaults run),
 * FTP_BENCH_CPUPROF=file.cpuprofile (a V8 profile of our run).
 */
import pMap from 'p-map';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientsFor, REGION, startCloud } from '../infra/local/stack.js';
import { LOCAL_CREDENTIALS } from '../infra/local/emulators.js';
import { MD5_UPLOADS } from '../shared/platform/aws.js';
import { backfill } from '../shared/ftp/backfill.js';
import { parseServers, Passwords } from '../shared/ftp/config.js';
import { ImageIndex } from '../shared/ftp/images.js';
import { parseRel } from '../shared/ftp/layout.js';
import { FtpPools } from '../shared/ftp/pool.js';
import { FtpState } from '../shared/ftp/state.js';
import { StepTimes } from '../shared/ftp/profile.js';
import { freePort } from '../test/support/ports.js';
import { startFtpServer } from '../test/support/peers/ftp.js';
import { isMain, printTable } from './util.js';

export interface FtpBenchOptions {
  files?: number;
  minBytes?: number;
  maxBytes?: number;
  /** Files in flight in our backfill, and FTP connections it may open. */
  concurrency?: number;
  connections?: number;
}

export interface FtpBenchRow {
  tool: string;
  files: number;
  MB: number;
  seconds: number;
  'files/s': number;
  'MB/s': number;
  'vs rclone'?: string;
  load?: string;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** CPU ms of a process (utime + stime; `children` adds its waited-for children, e.g. rclone for us). */
function procCpu(pid: number | 'self', children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after comm start at 3 (state): utime = 14, stime = 15, cutime = 16, cstime = 17.
    const ticks = +f[11]! + +f[12]! + (children ? +f[13]! + +f[14]! : 0);
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}

/** A process and its descendants, by command name (`node`, `java`). */
function treeCpu(root: number): Record<string, number> {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      comm.set(+d, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      parent.set(+d, +stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]!);
    } catch {
      /* gone */
    }
  }
  const out: Record<string, number> = {};
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p && p !== root) p = parent.get(p);
    if (p !== root) continue;
    const name = comm.get(pid) ?? '?';
    out[name] = (out[name] ?? 0) + procCpu(pid);
  }
  return out;
}

const cpuNow = (servicesPid: number) => ({ self: procCpu('self'), children: procCpu('self', true) - procCpu('self'), tree: treeCpu(servicesPid) });
type CpuMark = ReturnType<typeof cpuNow>;
/** CPU ms per file between two marks: this process, its exited children (rclone), the services' node and JVM. */
function cpuPerFile(a: CpuMark, b: CpuMark, files: number): Record<string, number> {
  const per = (x: number) => Math.round((x / files) * 100) / 100;
  const out: Record<string, number> = { 'bench process (ours)': per(b.self - a.self), 'rclone process': per(b.children - a.children) };
  for (const k of new Set([...Object.keys(a.tree), ...Object.keys(b.tree)])) {
    out[`services: ${k === 'java' ? 'DynamoDB Local (JVM)' : k === 'node' ? 'ftp-srv + fauxqs (node)' : k}`] = per((b.tree[k] ?? 0) - (a.tree[k] ?? 0));
  }
  return out;
}
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function countKeys(s3: S3Client, bucket: string, prefix: string): Promise<{ n: number; bytes: number }> {
  let n = 0;
  let bytes = 0;
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of r.Contents ?? []) {
      n++;
      bytes += o.Size ?? 0;
    }
    token = r.NextContinuationToken;
  } while (token);
  return { n, bytes };
}

function rcloneVersion(): string | undefined {
  const r = spawnSync('rclone', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

interface Services {
  env: Record<string, string>;
  bucket: string;
  imagesTable: string;
  stateTable: string;
  ftp: { host: string; port: number };
  bytesTotal: number;
}

/**
 * The "remote" side in a child process: emulators (DynamoDB Local + fauxqs), the FTP server and its
 * 2,000 files. Like in production, the FTP server and S3 do not share the migrating process's CPU
 * time; rclone is a separate process too.
 */
async function serve(o: Required<Pick<FtpBenchOptions, 'files' | 'minBytes' | 'maxBytes'>>): Promise<void> {
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  const ftp = await startFtpServer({ users: { bench: 'bench-pw' } });
  // 10 devices × 4 hours, big/small/json in turn, sizes uniform in [min, max].
  let bytesTotal = 0;
  const base = Date.UTC(2024, 2, 10, 8);
  for (let i = 0; i < o.files; i++) {
    const dev = `BENCH${p2(i % 10)}`;
    const h = new Date(base + (Math.floor(i / 10) % 4) * 3_600_000);
    const [y, M, d, H] = [h.getUTCFullYear(), p2(h.getUTCMonth() + 1), p2(h.getUTCDate()), p2(h.getUTCHours())];
    const [n, ext] = ([[0, 'jpg'], [1, 'jpg'], [0, 'json']] as const)[i % 3]!;
    const rel = `ftpdata/${dev}/${y}/${M}/${d}/${H}/${y}_${M}_${d}_${H}_${p2(Math.floor(i / 40) % 60)}_${p2(i % 60)}_${i}_${n}.${ext}`;
    const size = o.minBytes + Math.floor(Math.random() * (o.maxBytes - o.minBytes + 1));
    bytesTotal += size;
    const local = join(ftp.users.bench!.dir, rel);
    mkdirSync(dirname(local), { recursive: true });
    writeFileSync(local, randomBytes(size));
  }
  await warmUp(cloud.env, cloud.provisioned.tables.ImagesTable!.name, cloud.provisioned.buckets.FtpMediaBucket!.name);
  const out: Services = {
    env: cloud.env, bucket: cloud.provisioned.buckets.FtpMediaBucket!.name, imagesTable: cloud.provisioned.tables.ImagesTable!.name,
    stateTable: cloud.provisioned.tables.FtpStateTable!.name,
    ftp: { host: ftp.host, port: ftp.port }, bytesTotal,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  // Until the parent closes our stdin.
  await new Promise<void>((r) => {
    process.stdin.on('end', r).on('close', r).resume();
  });
  await ftp.destroy();
  await cloud.emulators.stop();
}

/**
 * DynamoDB Local is a JVM: its first few thousand requests run 2-5× slower than later ones (JIT).
 * A real DynamoDB has no such warm-up, so the emulator is warmed before anything is timed, with
 * the kinds of requests the migration makes, on keys of its own. fauxqs gets a few puts too.
 */
async function warmUp(env: Record<string, string>, table: string, bucket: string): Promise<void> {
  const c = clientsFor(env);
  const index = new ImageIndex(DynamoDBDocumentClient.from(c.dynamo, { marshallOptions: { removeUndefinedValues: true } }), table);
  // Scratch files of a device of their own, through the same claim/switch/lookup requests.
  const files = Array.from({ length: 8000 }, (_, i) => parseRel(`ftpdata/WARMUP/2024/03/10/08/2024_03_10_08_00_00_${i}_0.jpg`));
  await pMap(Array.from({ length: files.length / 100 }, (_, k) => files.slice(k * 100, k * 100 + 100)), async (chunk) => {
    await index.lookup(chunk.map((p) => ({ fileName: p.fileName, deviceId: p.deviceId })));
    await index.claimMany(chunk.map((p) => ({ p, server: 'warm', ftpUrl: 'ftp://warm', owner: 'warm', now: Date.now(), leaseMs: 60_000 })));
    await index.switchMany(chunk.map((p) => ({ key: { fileName: p.fileName, deviceId: p.deviceId }, owner: 'warm', s: { s3Key: 'warm', size: 1, md5: 'm', etag: 'm', version: 1, now: Date.now(), ftpModifiedAt: new Date().toISOString() } })));
    const fresh = chunk.map((p) => parseRel(p.rel.replace('WARMUP', 'WARMUP2')));
    await index.settleMany(fresh.map((p) => ({ p, server: 'warm', ftpUrl: 'ftp://warm', s: { s3Key: 'warm', size: 1, md5: 'm', etag: 'm', version: 1, now: Date.now(), ftpModifiedAt: new Date().toISOString() } })));
  }, { concurrency: 2 });
  const body = randomBytes(100_000);
  await pMap(Array.from({ length: 300 }, (_, i) => i), (i) => c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `warmup/${i}`, Body: body })), { concurrency: 8 });
}

async function startServices(o: Required<Pick<FtpBenchOptions, 'files' | 'minBytes' | 'maxBytes'>>): Promise<{ s: Services; pid: number; stop(): Promise<void> }> {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const child = spawn(tsx, [fileURLToPath(import.meta.url), '--serve', JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const s = await new Promise<Services>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Services);
    });
    child.once('exit', (code) => reject(new Error(`bench services exited (${code})`)));
  });
  return {
    s,
    pid: child.pid!,
    stop: async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** `FTP_BENCH_CPUPROF=file.cpuprofile`: a V8 CPU profile of this process during our run only. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

const envInt = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

export async function benchFtp(opts: FtpBenchOptions = {}): Promise<FtpBenchRow[]> {
  const sizes = { files: opts.files ?? envInt('FTP_BENCH_FILES') ?? 2000, minBytes: opts.minBytes ?? 50 * 1024, maxBytes: opts.maxBytes ?? 200 * 1024 };
  const total = sizes.files;
  const connections = opts.connections ?? envInt('FTP_BENCH_CONNECTIONS') ?? 32;
  // Equal parallelism with `rclone --transfers N`: N files in flight, N FTP connections.
  const concurrency = opts.concurrency ?? envInt('FTP_BENCH_CONCURRENCY') ?? connections;
  const withDefaults = process.env.FTP_BENCH_DEFAULTS !== '0';
  const { s, pid, stop } = await startServices(sizes);
  const rows: FtpBenchRow[] = [];
  const cpu: Array<Record<string, unknown>> = [];
  try {
    const MB = s.bytesTotal / 1e6;
    const clients = clientsFor(s.env);
    const db = DynamoDBDocumentClient.from(clients.dynamo, { marshallOptions: { removeUndefinedValues: true } });
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

    // --- ours: the `panoptes migrate` code path (list → skip known → claim → copy → verify → switch)
    const servers = parseServers(JSON.stringify({ bench: { host: s.ftp.host, port: s.ftp.port, user: 'bench', root: '/', maxConnections: connections } }));
    const pools = new FtpPools(servers, new Passwords({ env: { FTP_PASSWORD_BENCH: 'bench-pw', STAGE: 'local' } }));
    const times = new StepTimes();
    const loadBefore = load();
    const prof = process.env.FTP_BENCH_CPUPROF ? await startProfile() : undefined;
    const c0 = cpuNow(pid);
    const t0 = performance.now();
    const report = await backfill({ pools, index: new ImageIndex(db, s.imagesTable), state: new FtpState(db, s.stateTable), s3: new S3Client({ region: REGION, credentials: LOCAL_CREDENTIALS, endpoint: s.env.AWS_ENDPOINT_URL, forcePathStyle: true, ...MD5_UPLOADS }), bucket: s.bucket, times }, { server: 'bench', concurrency });
    const ours = (performance.now() - t0) / 1000;
    cpu.push({ run: 'panoptes migrate', ...cpuPerFile(c0, cpuNow(pid), total) });
    if (prof) await prof(process.env.FTP_BENCH_CPUPROF!);
    pools.close();
    const stored = await countKeys(clients.s3, s.bucket, 'ftp/');
    if (report.migrated !== total || stored.n !== total || stored.bytes !== s.bytesTotal) {
      throw new Error(`bench: ours migrated ${report.migrated}/${total}, S3 holds ${stored.n} objects / ${stored.bytes} of ${s.bytesTotal} bytes; failures: ${JSON.stringify(report.failures.slice(0, 3))}`);
    }
    rows.push({ tool: `panoptes migrate (${concurrency} in flight, ${connections} FTP conns)`, files: total, MB: round(MB), seconds: round(ours, 2), 'files/s': round(total / ours), 'MB/s': round(MB / ours), load: loadBefore });

    const version = rcloneVersion();
    if (!version) {
      console.log('\nrclone is not installed (apt-get install rclone): skipping the comparison');
    } else {
      const obscured = spawnSync('rclone', ['obscure', 'bench-pw'], { encoding: 'utf8' }).stdout.trim();
      // Not the caller's AWS_* settings (a CA bundle or profile would apply to the emulator too).
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('RCLONE_'))),
        RCLONE_CONFIG: '/dev/null',
        RCLONE_CONFIG_SRC_TYPE: 'ftp',
        RCLONE_CONFIG_SRC_HOST: s.ftp.host,
        RCLONE_CONFIG_SRC_PORT: String(s.ftp.port),
        RCLONE_CONFIG_SRC_USER: 'bench',
        RCLONE_CONFIG_SRC_PASS: obscured,
        RCLONE_CONFIG_DST_TYPE: 's3',
        RCLONE_CONFIG_DST_PROVIDER: 'Other',
        RCLONE_CONFIG_DST_ENDPOINT: s.env.AWS_ENDPOINT_URL!,
        RCLONE_CONFIG_DST_ACCESS_KEY_ID: 'test',
        RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: 'test',
        RCLONE_CONFIG_DST_REGION: 'us-east-1',
        RCLONE_CONFIG_DST_FORCE_PATH_STYLE: 'true',
      };
      const rclone = async (label: string, prefix: string, extra: string[]) => {
        const loadAt = load();
        const a = cpuNow(pid);
        const t = performance.now();
        await new Promise<void>((resolve, reject) => {
          execFile('rclone', ['copy', ...extra, 'src:ftpdata', `dst:${s.bucket}/${prefix}/ftpdata`], { env, maxBuffer: 64 * 1024 * 1024 }, (err, _out, stderr) =>
            err ? reject(new Error(`rclone failed: ${stderr.slice(-2000)}`)) : resolve());
        });
        const secs = (performance.now() - t) / 1000;
        cpu.push({ run: label, ...cpuPerFile(a, cpuNow(pid), total) });
        const copied = await countKeys(clients.s3, s.bucket, `${prefix}/`);
        if (copied.n !== total || copied.bytes !== s.bytesTotal) throw new Error(`bench: rclone copied ${copied.n}/${total}`);
        rows.push({ tool: label, files: total, MB: round(MB), seconds: round(secs, 2), 'files/s': round(total / secs), 'MB/s': round(MB / secs), load: loadAt });
        return secs;
      };
      // The bar: rclone given the same parallelism (N transfers = N FTP connections, N checkers).
      const same = await rclone(`rclone copy --transfers ${connections} (${version.replace(/^rclone /, '')})`, 'rclone-same', ['--transfers', String(connections), '--checkers', String(connections)]);
      rows[0]!['vs rclone'] = `${round(same / ours, 2)}× files/s`;
      if (withDefaults) await rclone('rclone copy, defaults (4 transfers; context)', 'rclone-defaults', []);
    }
    printTable(`ftp: ${total} files (${sizes.minBytes / 1024}–${sizes.maxBytes / 1024} KB), local FTP server → S3 (fauxqs); ours also claims, verifies and switches the index per file; load = 1/5/15-min load average at the start`, rows as unknown as Array<Record<string, unknown>>);
    if (rows[1]) console.log(`ratio at equal concurrency (${connections}): panoptes ${rows[0]!['files/s']} files/s / rclone ${rows[1]['files/s']} files/s = ${round(rows[0]!['files/s'] / rows[1]['files/s'], 2)}`);
    console.log('\nCPU ms per file, by process (2 vCPUs = 2000 ms of CPU per second):');
    console.table(cpu);
    console.log('panoptes migrate, wall time per step (summed over files in flight: where files wait):');
    console.table(times.rows(total));
    return rows;
  } finally {
    await stop();
  }
}

if (process.argv[2] === '--serve') {
  await serve(JSON.parse(process.argv[3]!) as Required<Pick<FtpBenchOptions, 'files' | 'minBytes' | 'maxBytes'>>);
  process.exit(0);
} else if (isMain(import.meta.url)) {
  await benchFtp();
  process.exit(0);
}
