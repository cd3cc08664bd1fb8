import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMedia } from '../../../shared/video/ffmpeg.js';

/** H.264 768×576, 10 fps, 30 s, keyframes only at 0 s and 25 s, moov at the end. */
export const FIXTURE = fileURLToPath(new URL('../../fixtures/pedestrians_0-30s.mp4', import.meta.url));

/** Random bytes: not media. */
export const GARBAGE = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 251));

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'panoptes-media-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * First `sec` seconds of the fixture, stream-copied (fast: the fixture starts on a keyframe); moov
 * first unless `faststart: false` (then it needs a seekable input, like camera files often do).
 */
export async function fixtureHead(dir: string, sec: number, { faststart = true } = {}): Promise<string> {
  const out = join(dir, `head_${sec}${faststart ? '' : '_moov_last'}.mp4`);
  const flags = faststart ? ['-movflags', '+faststart'] : [];
  await runMedia('ffmpeg', ['-v', 'error', '-i', FIXTURE, '-t', String(sec), '-c', 'copy', ...flags, '-y', out]);
  return out;
}
