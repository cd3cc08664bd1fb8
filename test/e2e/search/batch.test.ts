import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../../shared/platform/aws.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { api } from '../../support/http.js';
import { featureRecord, finished, fixture, job, logEntriesFor, invoke, putImage, run, sqsEvent } from './helpers.js';
import { resource } from '../../support/names.js';

/**
 * Batches on the whole local stack: fan-out over SQS to the extraction worker, job accounting, and
 * exactly-once extraction under duplicate deliveries and concurrent workers. Images live outside
 * images/ (not auto-indexed) so that only the batch processes them.
 */
const QUEUE = resource('searchExtract');

describe('POST /features/batch', () => {
  it('processes every image; unreadable ones are counted as failed and the job completes', async () => {
    const dir = `batch/${run}/mixed`;
    const good = [
      await putImage(`${dir}/messi5.jpg`, await fixture('messi5.jpg')),
      await putImage(`${dir}/basketball1.png`, await fixture('basketball1.png')),
    ];
    const bad = [
      await putImage(`${dir}/notes.jpg`, 'not an image at all'),
      `${dir}/does-not-exist.jpg`,
    ];
    const r = await api('POST', '/features/batch', { body: { imageKeys: [...good, ...bad, good[0]] } });
    expect(r.status, r.text).toBe(202);
    expect(r.json.jobId).toMatch(/^\d+$/);
    const early = await job(r.json.jobId);
    expect(early).toMatchObject({ total: 4, state: expect.stringMatching(/running|completed/) });

    const done = await finished(r.json.jobId);
    expect(done).toMatchObject({ total: 4, done: 2, failed: 2, state: 'completed' });
    // Expires by TTL about a day after completion.
    const ttl = Date.parse(done.expiresAt) - Date.parse(done.completedAt);
    expect(ttl).toBeGreaterThan(23 * 3600_000);
    expect(ttl).toBeLessThan(25 * 3600_000);
    for (const key of good) expect(await featureRecord(key)).toMatchObject({ status: 'indexed', extractions: 1 });
    expect(await featureRecord(bad[0]!)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^not_an_image/) });
    expect(await featureRecord(bad[1]!)).toBeUndefined();
  });

  it('duplicate SQS deliveries and two concurrent workers on one batch → one feature record and one extraction per image', async () => {
    const dir = `batch/${run}/dupes`;
    const images = [
      await putImage(`${dir}/a.jpg`, await fixture('messi5.jpg')),
      await putImage(`${dir}/b.png`, await fixture('basketball2.png')),
    ];
    const r = await api('POST', '/features/batch', { body: { imageKeys: images } });
    expect(r.status, r.text).toBe(202);
    const { jobId } = r.json;
    const tasks = images.map((imageKey) => ({ jobId, imageKey }));
    // Duplicates of the batch's own messages through the queue...
    const url = await queueUrl(QUEUE);
    for (const t of [...tasks, ...tasks]) await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(t) }));
    // ...and two more workers invoked directly, at the same time, with the same records.
    const direct = await Promise.all([invoke('searchWorker', sqsEvent(tasks, QUEUE)), invoke('searchWorker', sqsEvent(tasks, QUEUE))]);
    for (const d of direct) expect(Array.isArray(d.batchItemFailures)).toBe(true); // busy records are retried by SQS

    const done = await finished(jobId);
    expect(done).toMatchObject({ total: 2, done: 2, failed: 0, state: 'completed' });
    for (const key of images) {
      const rec = await featureRecord(key); // throws if there were two
      expect(rec, key).toMatchObject({ status: 'indexed', extractions: 1 });
      // The index log heard of each face once.
      const entries = await logEntriesFor(rec!.model, key);
      expect(entries.filter((e) => e.op === 'upsert')).toHaveLength(rec!.faces.length);
    }
    // Redelivering the same task after completion changes nothing.
    const again = await invoke('searchWorker', sqsEvent(tasks, QUEUE));
    expect(again.batchItemFailures).toEqual([]);
    expect(await job(jobId)).toMatchObject({ total: 2, done: 2, failed: 0 });
  });

  it('refuses bad batches', async () => {
    expect((await api('POST', '/features/batch', { body: { imageKeys: [] } })).status).toBe(400);
    const tooMany = await api('POST', '/features/batch', { body: { imageKeys: Array.from({ length: 10_001 }, (_, i) => `k/${i}`) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.details[0].path).toBe('body.imageKeys');
    expect((await api('POST', '/features/batch', { body: { imageKeys: ['images/appB/x.jpg'] }, key: 'local-app-a' })).status).toBe(403);
    expect((await api('GET', '/features/jobs/999999999')).status).toBe(404);
    expect((await api('GET', '/features/jobs/abc')).status).toBe(400);
  });
});
