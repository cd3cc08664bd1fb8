import { presignGet } from '../../platform/presign.js';

/**
 * Presigned GET URLs of an alarm's replay and snapshot. On AWS a URL signed with a Lambda role's
 * temporary credentials stops working when those expire (hours), whatever `expiresIn` says:
 * GET /alarms/{alarmId} always hands out fresh ones.
 */
export async function mediaUrls(bucket: string, keys: { replayKey?: string; snapshotKey?: string }, expiresIn: number): Promise<{ replayUrl?: string; snapshotUrl?: string }> {
  const sign = (key: string) => presignGet(bucket, key, { expiresIn });
  const [replayUrl, snapshotUrl] = await Promise.all([
    keys.replayKey ? sign(keys.replayKey) : undefined,
    keys.snapshotKey ? sign(keys.snapshotKey) : undefined,
  ]);
  return { ...(replayUrl ? { replayUrl } : {}), ...(snapshotUrl ? { snapshotUrl } : {}) };
}
