import { describe, expect, it } from 'vitest';
import { clipKey, isCameraId, parseClipKey } from '../../../shared/clips/keys.js';
import { clipResultSchema, clipTag, compactDetections, packResults, resultsMessageSchema, type ClipResult } from '../../../shared/clips/messages.js';

describe('clip keys', () => {
  it('parses {cameraId}/{startEpochMs}.mp4 and round-trips', () => {
    expect(parseClipKey('cam-1/1700000000000.mp4')).toEqual({ cameraId: 'cam-1', startMs: 1700000000000 });
    expect(clipKey('cam-1', 1700000000000)).toBe('cam-1/1700000000000.mp4');
  });

  it('refuses other layouts and unsafe ids', () => {
    for (const k of ['cam1/abc.mp4', 'cam1/123.mov', 'a/b/123.mp4', '123.mp4', 'cam 1/123.mp4', 'status/123.mp4', '../123.mp4', `${'x'.repeat(65)}/1.mp4`, 'cam1/1234567890123456.mp4']) {
      expect(parseClipKey(k), k).toBeNull();
    }
    expect(isCameraId('status')).toBe(false);
    expect(isCameraId('cam_1.a-b')).toBe(true);
  });
});

const result = (frames: number, perFrame: number): ClipResult => ({
  v: 1, cameraId: 'cam1', key: 'cam1/1000.mp4', startMs: 1000, etag: 'e', durationMs: 5000, width: 768, height: 576, fps: 2, model: 'm',
  frames: Array.from({ length: frames }, (_, i) => ({
    tsMs: 1000 + i * 500,
    detections: Array.from({ length: perFrame }, (_, j) => ({ box: [j, j, 30.5, 80.25] as [number, number, number, number], score: 0.5 })),
  })),
});

describe('results messages', () => {
  it('sends small results inline and big ones as an S3 pointer that validates', () => {
    const small = packResults(result(10, 5), 'results/x.json');
    expect(small.inline).toBe(true);
    expect(clipResultSchema.parse(small.message)).toEqual(result(10, 5));
    const big = packResults(result(10, 100), 'results/x.json', 20_000);
    expect(big.inline).toBe(false);
    expect(big.message).toEqual({ v: 1, cameraId: 'cam1', key: 'cam1/1000.mp4', startMs: 1000, etag: 'e', ref: { key: 'results/x.json' } });
    expect(resultsMessageSchema.safeParse(big.message).success).toBe(true);
    expect(JSON.parse(big.json)).toEqual(result(10, 100));
  });

  it('tags clip versions stably and compacts detections', () => {
    expect(clipTag('a/1.mp4', 'x')).toBe(clipTag('a/1.mp4', 'x'));
    expect(clipTag('a/1.mp4', 'x')).not.toBe(clipTag('a/1.mp4', 'y'));
    expect(clipTag('a/1.mp4', 'x')).toMatch(/^[0-9a-f]{32}$/);
    expect(compactDetections([{ box: [1.234, 2.25, 3.999, 4], score: 0.123456 }])).toEqual([{ box: [1.2, 2.3, 4, 4], score: 0.123 }]);
  });
});

describe('camera sources', async () => {
  const { cameraSource } = await import('../../../shared/clips/api.js');
  it('accepts camera URLs and file paths, refuses ffmpeg pseudo-protocols', () => {
    for (const ok of ['rtsp://user:pw@10.0.0.5:554/stream1', 'RTSPS://cam/x', 'https://cdn/x.m3u8', '/videos/lobby.mp4', 'videos/a b.mp4']) {
      expect(cameraSource.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of ['concat:/a.mp4|/b.mp4', 'subfile,,start,0,end,1,,:/etc/passwd', 'file:/etc/passwd', 'data:video/mp4;base64,AA', 'pipe:0', 'ftp://x/y', 'a.mp4\n-i', '']) {
      expect(cameraSource.safeParse(bad).success, bad).toBe(false);
    }
  });
});
