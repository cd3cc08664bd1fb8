import '../../support/env.js';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb, sqs } from '../../../shared/platform/aws.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { redrive } from '../../../cli/redrive.js';
import { api, eventually } from '../../support/http.js';
import { TABLE, announce, controlReceiver, fixtureUrl, record, settle, unique } from './helpers.js';
import { resource } from '../../support/names.js';

const REPORT_DLQ = resource('photosReportDlq');

interface Stats { within: string; from: string; to: string; pending: Record<'download' | 'analyse' | 'report', number>; done: number; failed: number }

async function stats(within = '1h'): Promise<Stats> {
  const r = await api('GET', `/photos/stats?within=${within}`);
  expect(r.status, r.text).toBe(200);
  return r.json as Stats;
}

type Item = { pk: string; id?: number; callTime?: number; pendingStage?: string; outcome?: string; stage?: string };

async function allItems(): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({
      TableName: TABLE,
      ProjectionExpression: 'pk, id, callTime, pendingStage, outcome, #stage',
      ExpressionAttributeNames: { '#stage': 'stage' },
      ConsistentRead: true,
      ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
    }));
    items.push(...((r.Items ?? []) as Item[]));
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** The same counts taken from the records themselves (a full scan), for the answer's window. */
async function fromRecords(s: Stats) {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const photos = (await allItems()).filter((i) => i.pk.startsWith('photo#') && i.callTime! >= from && i.callTime! <= to);
  const n = (f: (i: Item) => boolean) => photos.filter(f).length;
  return {
    counts: {
      // By `stage`, the record's own state, not by the index keys the endpoint counts.
      pending: { download: n((i) => i.stage === 'download'), analyse: n((i) => i.stage === 'analyse'), report: n((i) => i.stage === 'report') },
      done: n((i) => i.stage === 'done'),
      failed: n((i) => i.stage === 'failed'),
    },
    photos,
  };
}

/**
 * Waits until the endpoint's counts equal the records' (the pipeline may be moving while we look)
 * and returns both. Also checks that every record is either waiting (pendingStage) or ended with
 * outcome = its stage: the indexes are maintained by every transition.
 */
async function agreed(within = '1h') {
  return eventually(async () => {
    const s = await stats(within);
    const truth = await fromRecords(s);
    const { within: _w, from: _f, to: _t, ...counts } = s;
    if (JSON.stringify(counts) !== JSON.stringify(truth.counts)) return undefined;
    return { s, photos: truth.photos };
  }, 'GET /photos/stats to agree with the records', 60_000, 500);
}

const byId = (photos: Item[], id: number) => photos.find((p) => p.id === id);

beforeAll(async () => {
  await controlReceiver(0);
});
afterAll(async () => {
  await controlReceiver(0);
});

describe('GET /photos/stats: waiting per stage, done and failed, from the records', () => {
  it('a reported photo counts as done; a report that fails for good counts as failed until a re-drive reports it', async () => {
    const cam = `stats-${unique()}`;
    const before = await agreed();
    for (const r of before.photos) {
      // Every record is in exactly one of the two sparse indexes, under its own stage.
      if (r.pendingStage) expect(r.outcome, `photo ${r.id}`).toBeUndefined();
      else expect(r.outcome, `photo ${r.id}`).toBe(r.stage);
    }

    const a = await announce({ photoUrl: fixtureUrl('basketball1.png'), cameraCode: cam });
    expect((await settle(a)).status).toBe('done');
    const afterDone = await agreed();
    expect(byId(afterDone.photos, a)).toMatchObject({ outcome: 'done' });
    expect(afterDone.s.done).toBeGreaterThanOrEqual(before.s.done + 1);

    // Remote server 2 answers 503 to everything: after maxReceiveCount receives the report is given up.
    await controlReceiver(1000, 503);
    const b = await announce({ photoUrl: fixtureUrl('basketball2.png'), cameraCode: cam });
    const failed = await settle(b, (r) => r.status === 'failed', 180_000);
    expect(failed).toMatchObject({ failedStage: 'report', reported: false, analysed: true, failReason: expect.stringMatching(/^gave up after 8 attempts: http_503/) });
    const afterFail = await agreed();
    expect(byId(afterFail.photos, b)).toMatchObject({ outcome: 'failed' });
    expect(afterFail.s.failed).toBeGreaterThanOrEqual(afterDone.s.failed + 1);
    // Failed, not waiting: the sweeper leaves it alone; its message waits in the DLQ.
    expect(byId(afterFail.photos, b)!.pendingStage).toBeUndefined();
    const dlq = await queueUrl(REPORT_DLQ);
    await eventually(async () => {
      const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
      return (r.Messages ?? []).some((m) => JSON.parse(m.Body!).id === b);
    }, 'the report message in the DLQ', 60_000, 500);

    // The operator re-drives the DLQ: the report goes through and the photo leaves the failed count.
    await controlReceiver(0);
    expect((await redrive({ dlq: REPORT_DLQ })).moved).toBeGreaterThanOrEqual(1);
    expect((await settle(b, (r) => r.status === 'done')).reported).toBe(true);
    const afterRedrive = await agreed();
    expect(byId(afterRedrive.photos, b)).toMatchObject({ outcome: 'done' });
    expect(afterRedrive.s.done).toBeGreaterThanOrEqual(afterFail.s.done + 1);
    const rb = await record(b);
    expect(rb.failedStage).toBeUndefined();
    expect(rb).not.toHaveProperty('outcome');
  }, 300_000);

  it('the window defaults to 24h and bounds callTime: a photo stamped 2 h ago is in 24h, not in 1h', async () => {
    const r = await api('GET', '/photos/stats');
    expect(r.status).toBe(200);
    expect(r.json.within).toBe('24h');
    expect(Date.parse(r.json.to) - Date.parse(r.json.from)).toBe(86_400_000 + 5 * 60_000);

    const id = await announce({ photoUrl: fixtureUrl('messi5.jpg'), cameraCode: `stats-${unique()}`, callTime: Date.now() - 2 * 3_600_000 });
    expect((await settle(id)).status).toBe('done');
    expect(byId((await agreed('24h')).photos, id)).toMatchObject({ outcome: 'done' });
    expect(byId((await agreed('1h')).photos, id)).toBeUndefined();
  }, 180_000);

  it('a bad within → 400 naming query.within, and nothing is written', async () => {
    const keys = async () => (await allItems()).map((i) => i.pk).sort();
    const before = await keys();
    for (const within of ['soon', '0', '32d', '-5m', '1w']) {
      const r = await api('GET', `/photos/stats?within=${encodeURIComponent(within)}`);
      expect(r.status, within).toBe(400);
      expect(r.json).toMatchObject({ status: 'error', error: 'ValidationError', message: expect.stringMatching(/query\.within/) });
      expect(r.json.details[0]).toEqual({ path: 'query.within', message: expect.stringMatching(/duration up to 31d/) });
    }
    expect(await keys()).toEqual(before);
  });
});
