import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MediaError, runMedia } from '../../../shared/video/ffmpeg.js';
import { probe } from '../../../shared/video/probe.js';
import { FIXTURE, GARBAGE } from './fixture.js';

describe('probe', () => {
  it('reports the fixture figures from a path', async () => {
    const p = await probe(FIXTURE);
    expect(p).toMatchObject({ width: 768, height: 576, codec: 'h264', fps: 10, rotation: 0, hasAudio: false });
    expect(p.durationSec).toBeCloseTo(30, 1);
    expect(p.formatName).toContain('mp4');
    expect(p.frameCount).toBe(300);
  });

  it('reads a Buffer over a pipe, even with the moov at the end', async () => {
    const p = await probe(readFileSync(FIXTURE));
    expect(p).toMatchObject({ width: 768, height: 576, codec: 'h264', fps: 10 });
    expect(p.durationSec).toBeCloseTo(30, 1);
  });

  it('rejects garbage with a typed error, quickly', async () => {
    const started = Date.now();
    const err = (await probe(GARBAGE).catch((e: unknown) => e)) as MediaError;
    expect(err).toBeInstanceOf(MediaError);
    expect(err.code).toBe('INVALID_INPUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a missing file and an empty buffer', async () => {
    await expect(probe('/nonexistent/clip.mp4')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(probe(Buffer.alloc(0))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('says NO_VIDEO for audio-only media', async () => {
    const { stdout: wav } = await runMedia('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=0.3', '-f', 'wav', 'pipe:1']);
    await expect(probe(wav)).rejects.toMatchObject({ code: 'NO_VIDEO' });
  });
});
