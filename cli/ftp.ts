import { type Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { backfill, type BackfillProgress } from '../shared/ftp/backfill.js';
import { runCleanup } from '../shared/ftp/cleanup.js';
import { formatDuration, requireDuration } from '../shared/platform/time.js';
import { migrateDeps } from '../shared/ftp/migrate.js';
import { ftpRuntime } from '../shared/ftp/runtime.js';
import { functionEnv } from './function-env.js';

/**
 * Operator commands of the FTP migration. They run the domain code in this process against the
 * configured endpoints (AWS_* variables, STAGE, FTP_SERVERS, FTP_PASSWORD_<NAME> or SSM), not
 * through the HTTP API: a backfill moves far more than a request could. Resource names are the
 * ftpMigrate / ftpCleanup functions' own, from serverless.yml for STAGE.
 *
 *   panoptes migrate --server cam1 [--since 2024-03-01] [--dry-run] [--concurrency 32]
 *   panoptes ftp-cleanup [--dry-run] [--retention 24h]
 */
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 512) throw new InvalidArgumentError('must be an integer from 1 to 512');
  return n;
};
const date = (v: string) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('must be a date (e.g. 2024-03-01 or 2024-03-01T08:00:00+08:00)');
  return new Date(t);
};
const duration = (v: string) => {
  try {
    return requireDuration(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function registerFtp(program: Command): void {
  program
    .command('migrate')
    .description('backfill one FTP server into S3: copy, verify (size + MD5), switch the index; FTP copies stay until ftp-cleanup')
    .requiredOption('--server <name>', 'FTP server, as named in FTP_SERVERS')
    .option('--since <date>', 'only captures from this time on (by the time in the path)', date)
    .option('--dry-run', 'list and count what would be migrated; change nothing')
    .option('--concurrency <n>', 'files in flight (FTP connections stay within the server\'s maxConnections)', positiveInt, 16)
    .action(async (o: { server: string; since?: Date; dryRun?: boolean; concurrency: number }) => {
      const rt = ftpRuntime(await functionEnv('ftpMigrate'));
      if (!rt.servers.has(o.server)) throw new Error(`unknown FTP server ${o.server}; FTP_SERVERS has: ${[...rt.servers.keys()].join(', ') || '(none)'}`);
      const started = Date.now();
      const bar = new cliProgress.SingleBar({
        format: ' {bar} {percentage}% | {value}/{total} files{listing} | {done} of {found} | {rate} files/s {mbps} MB/s | ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        noTTYOutput: Boolean(process.env.CI),
        notTTYSchedule: 5000,
        etaBuffer: 200,
      }, cliProgress.Presets.shades_classic);
      const payload = (p: BackfillProgress) => {
        const s = Math.max(0.001, (Date.now() - started) / 1000);
        return { listing: p.listing ? ' (still listing)' : '', done: mb(p.doneBytes), found: mb(p.foundBytes), rate: (p.done / s).toFixed(1), mbps: (p.doneBytes / 1e6 / s).toFixed(1) };
      };
      if (!o.dryRun) bar.start(0, 0, payload({ listing: true, found: 0, foundBytes: 0, done: 0, doneBytes: 0, skipped: 0, failed: 0 }));
      let r;
      try {
        r = await backfill({ ...migrateDeps(rt), state: rt.state }, {
          server: o.server,
          concurrency: o.concurrency,
          ...(o.since ? { since: o.since } : {}),
          ...(o.dryRun ? { dryRun: true } : {}),
          onProgress: (p) => {
            if (o.dryRun) return;
            bar.setTotal(p.found);
            bar.update(p.done, payload(p));
          },
        });
      } finally {
        if (!o.dryRun) bar.stop();
        rt.pools.close();
      }
      const s = r.elapsedMs / 1000;
      if (o.dryRun) {
        console.log(`dry run on ${o.server}${o.since ? ` since ${o.since.toISOString()}` : ''}: would migrate ${r.found} file(s), ${mb(r.foundBytes)}; ${r.skipped} already in S3. Listed in ${secs(r.elapsedMs)}.`);
        return;
      }
      console.log([
        `migrate ${o.server}: ${r.migrated} migrated (${mb(r.doneBytes)}), ${r.already} already done elsewhere, ${r.skipped} already in S3, ${r.failed} failed`,
        `  ${secs(r.elapsedMs)}, ${(r.migrated / s).toFixed(1)} files/s, ${(r.doneBytes / 1e6 / s).toFixed(1)} MB/s`,
        ...r.failures.slice(0, 20).map((f) => `  failed: ${f.path}: ${f.error}`),
        ...(r.failures.length > 20 ? [`  … and ${r.failures.length - 20} more`] : []),
        ...(r.failed ? ['  Failed files stay on FTP and `ftp` in the index; run the command again to retry them.'] : []),
      ].join('\n'));
      if (r.failed) process.exitCode = 1;
    });

  program
    .command('ftp-cleanup')
    .description('delete FTP copies whose index has pointed at S3 longer than the retention (changed files are re-migrated instead)')
    .option('--dry-run', 'report what would be deleted or re-migrated; change nothing')
    .option('--retention <duration>', 'override FTP_RETENTION (e.g. 24h, 90m)', duration)
    .action(async (o: { dryRun?: boolean; retention?: number }) => {
      const rt = ftpRuntime(await functionEnv('ftpCleanup'));
      const retentionMs = o.retention ?? rt.settings.FTP_RETENTION;
      let n = 0;
      const r = await runCleanup({ ...migrateDeps(rt), state: rt.state }, {
        retentionMs,
        ...(o.dryRun ? { dryRun: true } : {}),
        onItem: () => {
          if (++n % 500 === 0) console.log(`  … ${n} examined`);
        },
      }).finally(() => rt.pools.close());
      if (r.locked) {
        console.log('another cleanup is running (lock held); nothing done');
        process.exitCode = 1;
        return;
      }
      const verb = o.dryRun ? 'would ' : '';
      console.log([
        `ftp-cleanup${o.dryRun ? ' (dry run)' : ''}: retention ${formatDuration(retentionMs)}, files synced ${r.from === '0000-00-00T00:00:00Z' ? 'ever' : `since ${r.from}`} until ${r.cutoff}`,
        `  examined ${r.examined}: ${verb}delete ${r.deleted} (${mb(r.bytesFreed)}), ${r.alreadyGone} already gone, ${verb}re-migrate ${r.remigrated} (changed on FTP), ${r.waiting} waiting (server down), ${r.skipped} skipped, ${r.failed} failed${o.dryRun ? '' : `; ${r.dirsRemoved} empty director${r.dirsRemoved === 1 ? 'y' : 'ies'} removed`}`,
        ...Object.entries(r.serversDown).map(([s, why]) => `  server ${s} unavailable: ${why} — its files wait for the next run`),
        ...r.errors.slice(0, 20).map((e) => `  error: ${e}`),
        ...(o.dryRun ? [] : [`  checkpoint now ${r.checkpoint}`]),
      ].join('\n'));
      if (r.failed) process.exitCode = 1;
    });
}
