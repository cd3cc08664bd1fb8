import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MediaError } from '../../../shared/video/ffmpeg.js';
import { probe } from '../../../shared/video/probe.js';
import { snapshotJpeg } from '../../../shared/video/snapshot.js';
import { FIXTURE, GARBAGE } from './fixture.js';

describe('snapshotJpeg', () => {
  it('returns a JPEG of the frame at atSec from a path', async () => {
    const jpeg = await snapshotJpeg(FIXTURE, 12.3);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(await probe(jpeg)).toMatchObject({ width: 768, height: 576, codec: 'mjpeg' });
  });

  it('works on a Buffer and scales with maxWidth', async () => {
    const jpeg = await snapshotJpeg(readFileSync(FIXTURE), 2, { maxWidth: 320 });
    expect(await probe(jpeg)).toMatchObject({ width: 320, height: 240 });
  });

  it('different times give different pictures', async () => {
    const [a, b] = await Promise.all([snapshotJpeg(FIXTURE, 1), snapshotJpeg(FIXTURE, 5)]);
    expect(Buffer.compare(a, b)).not.toBe(0);
  });

  it('fails with NO_OUTPUT past the end and a typed error on garbage', async () => {
    await expect(snapshotJpeg(FIXTURE, 45)).rejects.toMatchObject({ code: 'NO_OUTPUT' });
    const err = await snapshotJpeg(GARBAGE, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('INVALID_INPUT');
    await expect(snapshotJpeg(FIXTURE, -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
