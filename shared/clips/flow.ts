/**
 * Flow (counting-line crossings) and occupancy (people inside a polygon rule) per camera and rule,
 * in one-minute buckets of CLIPS_FLOW_TABLE, and the series the API serves from them.
 *
 * Item: series = `<cameraId>#<ruleId>#flow|occ`, minuteMs (epoch ms, UTC minute). Counters grow
 * with ADD, each update conditional on the clip not having been applied to that bucket yet (its
 * start ms is added to the `clips` string set in the same update), so a clip processed twice — a
 * redelivery, a crash before the camera state was written, a version conflict — counts once.
 * Occupancy max is a second, idempotent update (it only ever raises the value).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { conditional, queryAll } from '../platform/dynamo.js';
import { expiresAfterDays, type ClipsSettings } from './settings.js';
import type { FlowBucket, OccupancyBucket } from './analyse.js';

const seriesKey = (cameraId: string, ruleId: string, kind: 'flow' | 'occ') => `${cameraId}#${ruleId}#${kind}`;



export const BUCKETS = { '1m': 1, '5m': 5, '15m': 15, '1h': 60, '1d': 1440 } as const;
export type BucketName = keyof typeof BUCKETS;

/** Start of the bucket holding ts: whole minutes/hours/days of the camera's local time. */
export function bucketStart(ts: number, bucket: BucketName, timeZone: string): number {
  const t = DateTime.fromMillis(ts, { zone: timeZone });
  if (bucket === '1d') return t.startOf('day').toMillis();
  if (bucket === '1h') return t.startOf('hour').toMillis();
  const m = BUCKETS[bucket];
  const local = t.startOf('minute');
  return local.minus({ minutes: local.minute % m }).toMillis();
}

/** Every bucket start from the one holding `fromMs` up to `toMs` (exclusive), in local time. */
export function bucketStarts(fromMs: number, toMs: number, bucket: BucketName, timeZone: string): number[] {
  const out: number[] = [];
  let t = DateTime.fromMillis(bucketStart(fromMs, bucket, timeZone), { zone: timeZone });
  // Local arithmetic: a day is 23 or 25 h across a DST change.
  const step = bucket === '1d' ? { days: 1 } : { minutes: BUCKETS[bucket] };
  while (t.toMillis() < toMs) {
    out.push(t.toMillis());
    t = t.plus(step);
  }
  return out;
}

interface MinuteItem {
  minuteMs: number;
  in?: number;
  out?: number;
  sum?: number;
  frames?: number;
  max?: number;
}


export interface SeriesQuery {
  cameraId: string;
  ruleId: string;
  fromMs: number;
  toMs: number;
  bucket: BucketName;
  timeZone: string;
}

/** Places minute items in their buckets (pure; the query's range is already bucket-aligned). */
export function foldFlow(items: readonly MinuteItem[], starts: readonly number[], bucket: BucketName, timeZone: string) {
  const index = new Map(starts.map((s, i) => [s, i]));
  const series = starts.map((s) => ({ start: new Date(s).toISOString(), in: 0, out: 0 }));
  for (const it of items) {
    const i = index.get(bucketStart(it.minuteMs, bucket, timeZone));
    if (i === undefined) continue;
    series[i]!.in += it.in ?? 0;
    series[i]!.out += it.out ?? 0;
  }
  return series;
}

export function foldOccupancy(items: readonly MinuteItem[], starts: readonly number[], bucket: BucketName, timeZone: string) {
  const index = new Map(starts.map((s, i) => [s, i]));
  const acc = starts.map(() => ({ sum: 0, frames: 0, max: null as number | null }));
  for (const it of items) {
    const i = index.get(bucketStart(it.minuteMs, bucket, timeZone));
    if (i === undefined) continue;
    acc[i]!.sum += it.sum ?? 0;
    acc[i]!.frames += it.frames ?? 0;
    if (it.max !== undefined) acc[i]!.max = Math.max(acc[i]!.max ?? 0, it.max);
  }
  // A bucket without a sampled frame has no occupancy (null), which is not the same as nobody there (0).
  return starts.map((s, i) => ({
    start: new Date(s).toISOString(),
    avg: acc[i]!.frames ? Math.round((acc[i]!.sum / acc[i]!.frames) * 100) / 100 : null,
    max: acc[i]!.frames ? acc[i]!.max : null,
  }));
}

function range(q: SeriesQuery) {
  const starts = bucketStarts(q.fromMs, q.toMs, q.bucket, q.timeZone);
  const from = starts[0] ?? q.fromMs;
  const last = starts.at(-1);
  const to = last === undefined ? q.toMs : DateTime.fromMillis(last, { zone: q.timeZone }).plus(q.bucket === '1d' ? { days: 1 } : { minutes: BUCKETS[q.bucket] }).toMillis();
  return { starts, from, to };
}

/** The flow and occupancy buckets (CLIPS_FLOW_TABLE), kept CLIPS_FLOW_RETENTION_DAYS. */
export function flowRepo(s: Pick<ClipsSettings, 'CLIPS_FLOW_TABLE' | 'CLIPS_FLOW_RETENTION_DAYS'>) {
  const table = s.CLIPS_FLOW_TABLE;
  const ttl = (minuteMs: number) => expiresAfterDays(minuteMs, s.CLIPS_FLOW_RETENTION_DAYS);

  /** Adds a clip's buckets; returns how many bucket updates were new (0 when the clip was counted before). */
  async function recordFlow(cameraId: string, clipStartMs: number, flow: readonly FlowBucket[], occupancy: readonly OccupancyBucket[]): Promise<number> {
    const clip = String(clipStartMs);
    const notYet = 'attribute_not_exists(clips) OR NOT contains(clips, :clip)';
    const writes: Promise<boolean>[] = [];
    for (const b of flow) {
      writes.push(conditional(new UpdateCommand({
        TableName: table,
        Key: { series: seriesKey(cameraId, b.ruleId, 'flow'), minuteMs: b.minuteMs },
        UpdateExpression: 'ADD #in :in, #out :out, clips :clips SET expiresAt = :ttl',
        ConditionExpression: notYet,
        ExpressionAttributeNames: { '#in': 'in', '#out': 'out' },
        ExpressionAttributeValues: { ':in': b.in, ':out': b.out, ':clips': new Set([clip]), ':clip': clip, ':ttl': ttl(b.minuteMs) },
      })));
    }
    for (const b of occupancy) {
      const Key = { series: seriesKey(cameraId, b.ruleId, 'occ'), minuteMs: b.minuteMs };
      writes.push(conditional(new UpdateCommand({
        TableName: table,
        Key,
        UpdateExpression: 'ADD #sum :sum, frames :frames, clips :clips SET expiresAt = :ttl',
        ConditionExpression: notYet,
        ExpressionAttributeNames: { '#sum': 'sum' },
        ExpressionAttributeValues: { ':sum': b.sum, ':frames': b.frames, ':clips': new Set([clip]), ':clip': clip, ':ttl': ttl(b.minuteMs) },
      })).then(async (added) => {
        // Raising a maximum is idempotent, so it need not be tied to the clip.
        await conditional(new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: 'SET #max = :max',
          ConditionExpression: 'attribute_not_exists(#max) OR #max < :max',
          ExpressionAttributeNames: { '#max': 'max' },
          ExpressionAttributeValues: { ':max': b.max },
        }));
        return added;
      }));
    }
    return (await Promise.all(writes)).filter(Boolean).length;
  }

  const minutes = (series: string, fromMs: number, toMs: number) => queryAll<MinuteItem>({
    TableName: table,
    KeyConditionExpression: 'series = :s AND minuteMs BETWEEN :f AND :t',
    ExpressionAttributeValues: { ':s': series, ':f': fromMs, ':t': toMs - 1 },
    ProjectionExpression: 'minuteMs, #in, #out, #sum, frames, #max',
    ExpressionAttributeNames: { '#in': 'in', '#out': 'out', '#sum': 'sum', '#max': 'max' },
  });

  async function flowSeries(q: SeriesQuery) {
    const { starts, from, to } = range(q);
    const items = await minutes(seriesKey(q.cameraId, q.ruleId, 'flow'), from, to);
    return foldFlow(items, starts, q.bucket, q.timeZone);
  }

  async function occupancySeries(q: SeriesQuery) {
    const { starts, from, to } = range(q);
    const items = await minutes(seriesKey(q.cameraId, q.ruleId, 'occ'), from, to);
    return foldOccupancy(items, starts, q.bucket, q.timeZone);
  }

  return { recordFlow, flowSeries, occupancySeries };
}
export type FlowRepo = ReturnType<typeof flowRepo>;
