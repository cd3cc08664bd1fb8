import '../../support/env.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, s3, sqs } from '../../../shared/platform/aws.js';
import { dedupPk } from '../../../shared/photos/records.js';
import { PhotoRepo } from '../../../shared/photos/repo.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { redrive } from '../../../cli/redrive.js';
import { stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import { TABLE, announce, controlReceiver, fixtureUrl, invoke, record, reportsFor, settle, unique } from './helpers.js';
import type { SweepSummary } from '../../../shared/photos/sweep.js';
import { resource } from '../../support/names.js';

const repo = new PhotoRepo(TABLE);
const BUCKET = resource('photosMedia');
const sweep = () => invoke<SweepSummary>(stackInfo().lambdaUrl, 'panoptes-local-photosSweeper');

/** A record written as intake would, but whose queue message is "lost" (never sent). */
async function orphan(cameraCode: string, name: string, at: number) {
  const { json } = await api('POST', '/ids/photo?count=1');
  const id = json.ids[0] as number;
  const photoUrl = fixtureUrl(name);
  await repo.create({ cameraCode, photoUrl, callTime: at, dedupKey: dedupPk(cameraCode, photoUrl, at) }, id, at);
  return id;
}

describe('nothing stuck, nothing lost', () => {
  it('after maxReceiveCount failures the record fails at report and its message waits in the DLQ; `panoptes redrive` brings it back', async () => {
    await controlReceiver(1000, 503);
    const id = await announce({ photoUrl: fixtureUrl('basketball2.png'), cameraCode: `dlq-${unique()}` });
    const dlq = await queueUrl(resource('photosReportDlq'));
    await eventually(async () => {
      const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
      return (r.Messages ?? []).some((m) => JSON.parse(m.Body!).id === id);
    }, 'the report message in the DLQ', 120_000, 500);
    // The last receive before the DLQ gave the record up: failed at report, no longer waiting.
    const stuck = await settle(id, (r) => r.status === 'failed', 30_000);
    expect(stuck).toMatchObject({ status: 'failed', failedStage: 'report', reported: false });
    // 8 = maxReceiveCount (a scheduled sweep may add a re-drive, hence at least).
    expect(stuck.attempts.report).toBeGreaterThanOrEqual(8);
    expect((await reportsFor(id)).length).toBeGreaterThanOrEqual(8);

    await controlReceiver(0);
    const moved = await redrive({ dlq: resource('photosReportDlq') });
    expect(moved.moved).toBeGreaterThanOrEqual(1);
    const done = await settle(id);
    expect(done.status).toBe('done');
    const all = await reportsFor(id);
    expect(all.at(-1)!.status).toBe(200);
    expect(new Set(all.map((a) => a.headers['idempotency-key']))).toEqual(new Set([`photo-${id}`]));
  });

  it('the sweeper re-drives records stuck at download, analyse and report', async () => {
    const cam = `stuck-${unique()}`;
    const old = Date.now() - 60_000;
    const atDownload = await orphan(cam, 'messi5.jpg', old);

    // Stored, but its S3 notification never came (object outside photos/, so none will).
    const atAnalyse = await orphan(cam, 'basketball1.png', old + 1);
    const key = `stuck/${atAnalyse}.png`;
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(resolve(import.meta.dirname, '../../fixtures/basketball1.png')), ContentType: 'image/png' }));
    await repo.markDownloaded(atAnalyse, { bucket: BUCKET, key, contentType: 'image/png', bytes: 1 }, old);

    // Analysed, but the report message was lost.
    const atReport = await orphan(cam, 'basketball2.png', old + 2);
    await repo.markAnalysed(atReport, { numOfPeople: 2, by: 'callback' }, old);

    const summary = await sweep();
    expect(summary.ids.download).toContain(atDownload);
    expect(summary.ids.analyse).toContain(atAnalyse);
    expect(summary.ids.report).toContain(atReport);
    for (const stage of ['download', 'analyse', 'report'] as const) expect(summary.redriven[stage]).toBeGreaterThanOrEqual(1);

    const done = await Promise.all([atDownload, atAnalyse, atReport].map((id) => settle(id)));
    for (const r of done) {
      expect(r.status, `${r.id}: ${r.failReason ?? ''}`).toBe('done');
      expect(r.redrives).toBeGreaterThanOrEqual(1);
      expect(await reportsFor(r.id)).toHaveLength(1);
    }
    expect(done[0].numOfPeople).toBeGreaterThan(0);
    expect(done[1].numOfPeople).toBe(2);

    // Recently touched records are left alone.
    const again = await sweep();
    for (const id of [atDownload, atAnalyse, atReport]) expect(Object.values(again.ids).flat()).not.toContain(id);
  });

  it('a record re-driven too often fails instead of circulating for ever', async () => {
    const id = await orphan(`stuck-${unique()}`, 'messi5.jpg', Date.now() - 60_000);
    await ddb().send(new UpdateCommand({ TableName: TABLE, Key: { pk: `photo#${id}` }, UpdateExpression: 'SET redrives = :n', ExpressionAttributeValues: { ':n': 6 } }));
    const summary = await sweep();
    expect(summary.failed.download).toBeGreaterThanOrEqual(1);
    const r = await record(id);
    expect(r).toMatchObject({ status: 'failed', failedStage: 'download', failReason: expect.stringMatching(/^stuck/) });
  });
});
