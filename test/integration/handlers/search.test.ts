import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('search handlers, in process', () => {
  it('given a batch of two images, when the job is read, then it runs with two tasks and none done', async () => {
    const keys = [`h/${randomUUID()}.jpg`, `h/${randomUUID()}.jpg`];
    const started = await http('searchBatch', 'POST', '/features/batch', { body: { imageKeys: keys } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ total: 2, state: 'running' });
    const job = await http('searchJob', 'GET', `/features/jobs/${started.json.jobId}`);
    expect(job.status).toBe(200);
    expect(job.json).toMatchObject({ jobId: started.json.jobId, total: 2, done: 0, failed: 0 });
  });
});
