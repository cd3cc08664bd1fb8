import { describe, expect, it } from 'vitest';
import {
  decideClaim,
  decodeEmbeddings,
  encodeEmbeddings,
  faceId,
  inScope,
  jobView,
  oversample,
  parseFaceId,
  selectMatches,
  taskSortKey,
  type FeatureRecord,
  type JobRecord,
} from '../../../shared/search/records.js';
import { contiguousChanges } from '../../../shared/search/index-store.js';
import { batchBody, deletePath, extractBody, searchBody } from '../../../shared/search/requests.js';

const rec = (over: Partial<FeatureRecord>): FeatureRecord => ({
  imageKey: 'images/a.jpg',
  model: 'm@1',
  status: 'indexed',
  etag: 'e1',
  sourceModified: 1000,
  rev: 3,
  updatedAt: 0,
  ...over,
});

describe('face ids', () => {
  it('round-trip, splitting at the last # (keys may contain #)', () => {
    expect(parseFaceId(faceId('images/a#b.jpg', 3))).toEqual({ imageKey: 'images/a#b.jpg', faceIndex: 3 });
    expect(parseFaceId('nohash')).toBeUndefined();
    expect(parseFaceId('#1')).toBeUndefined();
    expect(parseFaceId('a#x')).toBeUndefined();
    expect(parseFaceId('a#-1')).toBeUndefined();
  });
});

describe('embedding codec', () => {
  it('packs float32 little-endian and back, exactly at float32 precision', () => {
    const a = [0.1, -0.2, 0.3, 1e-8];
    const b = [1, 2, 3, 4];
    const bytes = encodeEmbeddings([a, b], 4);
    expect(bytes.byteLength).toBe(32);
    const [x, y] = decodeEmbeddings(bytes, 4);
    expect(Array.from(x!)).toEqual(a.map(Math.fround));
    expect(Array.from(y!)).toEqual(b);
    // Unaligned input (as a sliced network buffer may be) decodes too.
    const shifted = new Uint8Array(33);
    shifted.set(bytes, 1);
    expect(Array.from(decodeEmbeddings(shifted.subarray(1), 4)[1]!)).toEqual(b);
  });

  it('refuses wrong dimensions', () => {
    expect(() => encodeEmbeddings([[1, 2]], 3)).toThrow(RangeError);
    expect(() => decodeEmbeddings(new Uint8Array(10), 4)).toThrow(RangeError);
  });
});

describe('decideClaim', () => {
  const obj = { etag: 'e1', lastModified: 1000 };
  it('extracts what was never seen', () => expect(decideClaim(undefined, obj, 0)).toEqual({ action: 'extract' }));
  it('does nothing for content already indexed or failed (duplicate delivery)', () => {
    expect(decideClaim(rec({ status: 'indexed' }), obj, 0)).toEqual({ action: 'done', status: 'indexed' });
    expect(decideClaim(rec({ status: 'failed' }), obj, 0)).toEqual({ action: 'done', status: 'failed' });
  });
  it('backs off while another worker holds a live lease on the same content', () => {
    expect(decideClaim(rec({ status: 'extracting', leaseUntil: 5000 }), obj, 4000)).toEqual({ action: 'busy', until: 5000 });
    expect(decideClaim(rec({ status: 'indexing', leaseUntil: 5000 }), obj, 4000)).toEqual({ action: 'busy', until: 5000 });
  });
  it('takes over an expired lease: re-extracts, or only re-indexes when the embeddings were stored', () => {
    expect(decideClaim(rec({ status: 'extracting', leaseUntil: 3000 }), obj, 4000)).toEqual({ action: 'extract' });
    expect(decideClaim(rec({ status: 'indexing', leaseUntil: 3000 }), obj, 4000)).toEqual({ action: 'index' });
  });
  it('new content supersedes at once, even a live lease; older content never replaces newer', () => {
    expect(decideClaim(rec({ status: 'extracting', leaseUntil: 9e9 }), { etag: 'e2', lastModified: 2000 }, 0)).toEqual({ action: 'extract' });
    expect(decideClaim(rec({ etag: 'e2', sourceModified: 2000 }), { etag: 'e1', lastModified: 1000 }, 0)).toEqual({ action: 'stale' });
    // Same second (S3's resolution): the other ETag wins.
    expect(decideClaim(rec({ etag: 'e2', sourceModified: 1000 }), { etag: 'e1', lastModified: 1000 }, 0)).toEqual({ action: 'extract' });
  });
});

describe('contiguousChanges', () => {
  const e = (version: number, writtenAt = 0) => ({ version, writtenAt });
  const grace = 60_000;
  it('passes a gapless run', () => {
    expect(contiguousChanges([e(1), e(2), e(3)], 0, 1000, grace).map((x) => x.version)).toEqual([1, 2, 3]);
  });
  it('stops before a hole whose writer may still be writing', () => {
    expect(contiguousChanges([e(1, 900), e(3, 950), e(4, 950)], 0, 1000, grace).map((x) => x.version)).toEqual([1]);
    expect(contiguousChanges([e(2, 950)], 0, 1000, grace)).toEqual([]);
  });
  it('skips a dead hole: the entry after it is older than the grace period', () => {
    expect(contiguousChanges([e(1), e(3, 0), e(4, 70_000)], 0, 100_000, grace).map((x) => x.version)).toEqual([1, 3, 4]);
  });
  it('ignores entries at or below the position', () => {
    expect(contiguousChanges([e(4), e(5), e(6)], 5, 1000, grace).map((x) => x.version)).toEqual([6]);
  });
});

describe('jobView', () => {
  const job: JobRecord = { jobId: '7', total: 3, done: 2, failed: 1, remaining: 0, state: 'running', createdAt: 0, expiresAt: 100 };
  it('reads complete counters as completed (even before the state flipped)', () => {
    expect(jobView(job, 1000)?.state).toBe('completed');
    expect(jobView({ ...job, remaining: 1, done: 1 }, 1000)?.state).toBe('running');
  });
  it('hides a job past its TTL (DynamoDB deletes lazily)', () => {
    expect(jobView(job, 100_000)).toBeUndefined();
    expect(jobView(job, 99_999)).toBeDefined();
  });
  it('task keys are short and stable whatever the image key', () => {
    expect(taskSortKey('x'.repeat(1024)).length).toBeLessThan(60);
    expect(taskSortKey('a')).toBe(taskSortKey('a'));
    expect(taskSortKey('a')).not.toBe(taskSortKey('b'));
  });
});

describe('selectMatches', () => {
  const hits = [
    { id: 'images/q.jpg#0', score: 1 },
    { id: 'images/appA/x.jpg#1', score: 0.9 },
    { id: 'images/appB/y.jpg#0', score: 0.8 },
    { id: 'broken', score: 0.7 },
    { id: 'images/appA/z.jpg#0', score: 0.6 },
  ];
  it('drops the query image, keeps order, cuts at k', () => {
    expect(selectMatches(hits, { k: 2, excludeImage: 'images/q.jpg' })).toEqual([
      { imageKey: 'images/appA/x.jpg', faceIndex: 1, score: 0.9 },
      { imageKey: 'images/appB/y.jpg', faceIndex: 0, score: 0.8 },
    ]);
  });
  it('an app-bound caller sees its own images only', () => {
    expect(selectMatches(hits, { k: 10, appId: 'appA' }).map((m) => m.imageKey)).toEqual(['images/appA/x.jpg', 'images/appA/z.jpg']);
    expect(inScope('images/appA/x.jpg', 'appA')).toBe(true);
    expect(inScope('images/appAB/x.jpg', 'appA')).toBe(false);
    expect(inScope('anything', undefined)).toBe(true);
  });
  it('applies minScore', () => {
    expect(selectMatches(hits, { k: 10, minScore: 0.85 }).map((m) => m.score)).toEqual([1, 0.9]);
  });
  it('oversamples enough to survive the filters, never beyond the index', () => {
    expect(oversample(10, { ownFaces: 2, scoped: false, size: 1000 })).toBe(12);
    expect(oversample(10, { ownFaces: 2, scoped: true, size: 1000 })).toBe(60);
    expect(oversample(10, { ownFaces: 2, scoped: true, size: 30 })).toBe(30);
    expect(oversample(10, { ownFaces: 0, scoped: false, size: 3 })).toBe(10);
  });
});

describe('request schemas', () => {
  it('search: exactly one image, 1 ≤ k ≤ 100', () => {
    expect(searchBody.safeParse({ imageKey: 'images/a.jpg' }).data).toEqual({ imageKey: 'images/a.jpg', k: 10 });
    for (const k of [0, 101, 2.5]) expect(searchBody.safeParse({ imageKey: 'a', k }).success).toBe(false);
    expect(searchBody.safeParse({ imageKey: 'a', imageBase64: 'AAAA' }).success).toBe(false);
    expect(searchBody.safeParse({ k: 5 }).success).toBe(false);
    expect(searchBody.safeParse({ imageKey: 'a', minScore: 2 }).success).toBe(false);
    expect(searchBody.safeParse({ imageKey: 'a', extra: 1 }).success).toBe(false);
  });
  it('extract: imageKey xor imageUrl', () => {
    expect(extractBody.safeParse({ imageUrl: 'http://x/y.jpg' }).success).toBe(true);
    expect(extractBody.safeParse({ imageUrl: 'not a url' }).success).toBe(false);
    expect(extractBody.safeParse({ imageKey: 'a', imageUrl: 'http://x/y.jpg' }).success).toBe(false);
    expect(extractBody.safeParse({ imageKey: '/a' }).success).toBe(false);
  });
  it('batch: 1..10,000 keys', () => {
    expect(batchBody.safeParse({ imageKeys: [] }).success).toBe(false);
    expect(batchBody.safeParse({ imageKeys: Array.from({ length: 10_000 }, (_, i) => `k${i}`) }).success).toBe(true);
    expect(batchBody.safeParse({ imageKeys: Array.from({ length: 10_001 }, (_, i) => `k${i}`) }).success).toBe(false);
  });
  it('delete path: raw or percent-encoded slashes', () => {
    expect(deletePath.parse({ imageKey: 'images/a b.jpg' }).imageKey).toBe('images/a b.jpg');
    expect(deletePath.parse({ imageKey: 'images%2Fa.jpg' }).imageKey).toBe('images/a.jpg');
    expect(deletePath.safeParse({ imageKey: '%E0%A4%A' }).success).toBe(false);
  });
});
