import { beforeAll, describe, expect, it } from 'vitest';
import { loadService, type ServiceConfig } from '../../../infra/local/service.js';
import { clipKey } from '../../../shared/clips/keys.js';
import { latestSnapshotKey, snapshotBucketVariable } from '../../../shared/clips/snapshot.js';

/**
 * A camera's latest snapshot must outlive its clips: a camera that stopped sending clips keeps the
 * frame the rules editor draws on. Checked on the resolved serverless.yml (infra/resources/clips.yml
 * as deployed), with the key built by the code that writes it.
 */
let svc: ServiceConfig;

beforeAll(async () => {
  svc = await loadService('local'); // `osls print`, offline
}, 60_000);

interface Rule { Id?: string; Status?: string; Prefix?: string; Filter?: { Prefix?: string }; ExpirationInDays?: number; ExpirationDate?: string }

function bucket(name: string): { logicalId: string; expiring: string[] } {
  const found = Object.entries(svc.resources.Resources).find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.BucketName === name);
  if (!found) throw new Error(`no bucket named ${name}`);
  const rules = ((found[1].Properties?.LifecycleConfiguration as { Rules?: Rule[] } | undefined)?.Rules ?? [])
    .filter((r) => r.Status === 'Enabled' && (r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined));
  return { logicalId: found[0], expiring: rules.map((r) => r.Filter?.Prefix ?? r.Prefix ?? '') };
}

const env = (fn: string, variable: string): string => {
  const v = svc.functions[fn]?.environment?.[variable];
  if (typeof v !== 'string' || !v) throw new Error(`${fn} has no ${variable}`);
  return v;
};

describe('the latest snapshot never expires', () => {
  it('no expiry rule of the bucket it is written to covers its key, whatever the camera id', () => {
    const variable = snapshotBucketVariable(latestSnapshotKey('cam-1'));
    // The writer (inference) and the reader (GET /cameras/{id}/snapshot) agree on the bucket.
    const name = env('clipsInference', variable);
    expect(env('clipsCameraSnapshot', variable)).toBe(name);
    const { expiring } = bucket(name);
    // The key's part before the camera id: a rule prefix must neither cover it nor extend into it.
    const head = latestSnapshotKey('CAMERA').split('CAMERA')[0]!;
    expect(head.length).toBeGreaterThan(0);
    for (const prefix of expiring) {
      expect(head.startsWith(prefix), `rule prefix '${prefix}' covers ${head}…`).toBe(false);
      expect(prefix.startsWith(head), `rule prefix '${prefix}' covers some of ${head}…`).toBe(false);
      for (const id of ['cam-1', 'a', 'snapshots', '0']) expect(latestSnapshotKey(id).startsWith(prefix)).toBe(false);
    }
  });

  it('clips still expire', () => {
    // The bucket clips land in: the one whose uploads trigger dispatch.
    const s3 = svc.functions.clipsDispatch?.events?.find((e) => e.s3)?.s3 as { bucket?: string } | undefined;
    expect(s3?.bucket).toBe(env('clipsInference', 'CLIPS_BUCKET'));
    const { expiring } = bucket(s3!.bucket!);
    expect(expiring.some((p) => clipKey('cam-1', 1_700_000_000_000).startsWith(p))).toBe(true);
  });

  it('a snapshot written before the move is read from the clips bucket', () => {
    expect(snapshotBucketVariable('snapshots/cam-1/latest.jpg')).toBe('CLIPS_BUCKET');
    expect(env('clipsCameraSnapshot', 'CLIPS_BUCKET')).toBe(env('clipsInference', 'CLIPS_BUCKET'));
  });
});
