import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaError,
  StderrTail,
  classifyFailure,
  isPermanentMediaError,
  needsSeekableInput,
  parseRational,
  runMedia,
  spawnMedia,
  toolPath,
} from '../../../shared/video/ffmpeg.js';
import { FIXTURE, GARBAGE } from './fixture.js';
import { readFileSync } from 'node:fs';

describe('binary resolution', () => {
  const saved = process.env.FFMPEG_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = saved;
  });

  it('uses the npm installer binaries by default', () => {
    delete process.env.FFMPEG_PATH;
    expect(toolPath('ffmpeg')).toMatch(/@ffmpeg-installer/);
    expect(toolPath('ffprobe')).toMatch(/@ffprobe-installer/);
  });

  it('honours FFMPEG_PATH, and a missing binary is a typed SPAWN_FAILED', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    expect(toolPath('ffmpeg')).toBe('/nonexistent/ffmpeg');
    const err = await runMedia('ffmpeg', ['-version']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('SPAWN_FAILED');
  });
});

describe('spawn helper', () => {
  it('returns stdout of a successful run', async () => {
    const { stdout } = await runMedia('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', FIXTURE]);
    expect(Number(stdout.toString())).toBeCloseTo(30, 1);
  });

  it('turns a non-zero exit into MediaError with the stderr tail', async () => {
    const err = (await runMedia('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'null', '-'], { stdin: GARBAGE }).catch(
      (e: unknown) => e,
    )) as MediaError;
    expect(err).toBeInstanceOf(MediaError);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.exitCode).not.toBe(0);
    expect(err.stderrTail).toMatch(/Invalid data/);
    expect(err.message).toMatch(/Invalid data/);
    // Garbage stays garbage: every consumer records it instead of retrying.
    expect(isPermanentMediaError(err)).toBe(true);
  });

  it('kills on timeout', async () => {
    const started = Date.now();
    // -re: reads the 30 s fixture in real time, so it would run for 30 s.
    const err = (await runMedia('ffmpeg', ['-re', '-i', FIXTURE, '-f', 'null', '-'], { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    )) as MediaError;
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(isPermanentMediaError(err)).toBe(false);
    expect(isPermanentMediaError(new Error('INVALID_INPUT'))).toBe(false);
  });

  it('kills on abort', async () => {
    const ac = new AbortController();
    const proc = spawnMedia('ffmpeg', ['-re', '-i', FIXTURE, '-f', 'null', '-'], { signal: ac.signal });
    proc.stdout.resume();
    setTimeout(() => ac.abort(), 200);
    await expect(proc.done).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('stop() ends ffmpeg cleanly and resolves', async () => {
    const proc = spawnMedia('ffmpeg', ['-re', '-i', FIXTURE, '-f', 'null', '-']);
    proc.stdout.resume();
    setTimeout(() => proc.stop(), 200);
    await expect(proc.done).resolves.toBeUndefined();
  });
});

describe('helpers', () => {
  it('keeps only a bounded stderr tail', () => {
    const tail = new StderrTail(3, 1000);
    for (let i = 0; i < 100; i++) tail.push(`line ${i}\n`);
    tail.push('partial');
    expect(tail.toString()).toBe('line 97\nline 98\nline 99\npartial');
    const big = new StderrTail(1000, 100);
    big.push('x'.repeat(50) + '\n' + 'y'.repeat(60) + '\n' + 'z'.repeat(70) + '\n');
    expect(big.toString()).toBe('z'.repeat(70));
  });

  it('spots MP4s that cannot be demuxed from a pipe', () => {
    expect(needsSeekableInput(readFileSync(FIXTURE))).toBe(true); // ftyp free mdat moov
    expect(needsSeekableInput(GARBAGE)).toBe(false);
  });

  it('parses rationals and classifies failures', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRational('0/0')).toBeUndefined();
    expect(classifyFailure('x: moov atom not found')).toBe('INVALID_INPUT');
    expect(classifyFailure("Stream map '0:v:0' matches no streams.")).toBe('NO_VIDEO');
    expect(classifyFailure('Conversion failed!')).toBe('FAILED');
  });
});
