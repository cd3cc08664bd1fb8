import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('photo handlers, in process', () => {
  it('given an announcement, when posted, then 202 with an id whose record waits for its download', async () => {
    const callTime = Date.now();
    const posted = await http('photosIntake', 'POST', '/photos', { body: { cameraCode: 'CAM-H1', photoUrl: 'https://photos.example/a.jpg', callTime } });
    expect(posted.status).toBe(202);
    expect(posted.json.status).toBe('success');
    const got = await http('photosGet', 'GET', `/photos/${posted.json.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: posted.json.id, cameraCode: 'CAM-H1', photoUrl: 'https://photos.example/a.jpg', stage: 'download' });
  });

  it('given a body without photoUrl, then 400 naming it', async () => {
    const r = await http('photosIntake', 'POST', '/photos', { body: { cameraCode: 'CAM-H1', callTime: Date.now() } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.details)).toContain('photoUrl');
  });
});
