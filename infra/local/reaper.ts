import { spawn } from 'node:child_process';

/**
 * Children of the launcher (DynamoDB Local's Java, serverless-offline) must not outlive it, even
 * when it is killed with SIGKILL and cannot clean up. A tiny detached watchdog polls the launcher's
 * pid and kills the children once it is gone.
 */
const script = `
const [parent, ...pids] = process.argv.slice(1).map(Number);
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
setInterval(() => {
  if (alive(parent)) { if (!pids.some(alive)) process.exit(0); return; }
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
  process.exit(0);
}, 500);
`;

export function guardChildren(pids: Array<number | undefined>): void {
  const live = pids.filter((p): p is number => typeof p === 'number' && p > 0);
  if (!live.length) return;
  const watchdog = spawn(process.execPath, ['-e', script, String(process.pid), ...live.map(String)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}
