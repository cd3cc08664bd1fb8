import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('photo handlers, in process', () => {
  it('given an announcement by cameraId, when posted, then 202 with an id whose record waits for its download', async () => {
    const callTime = Date.now();
    const posted = await http('photosIntake', 'POST', '/photos', { body: { cameraId: 'CAM-H1', photoUrl: 'https://photos.example/a.jpg', callTime } });
    expect(posted.status).toBe(202);
    expect(posted.json.status).toBe('success');
    const got = await http('photosGet', 'GET', `/photos/${posted.json.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: posted.json.id, cameraId: 'CAM-H1', cameraCode: 'CAM-H1', photoUrl: 'https://photos.example/a.jpg', stage: 'download' });
  });

  it('given a body without photoUrl, then 400 naming it', async () => {
    const r = await http('photosIntake', 'POST', '/photos', { body: { cameraId: 'CAM-H1', callTime: Date.now() } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json.details)).toContain('photoUrl');
  });

  it('given analysed-photo counts asked by cameraId, then the series names the camera by cameraId', async () => {
    const r = await http('photosCounts', 'GET', '/cameras/CAM-H1/counts?bucket=1h');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ cameraId: 'CAM-H1', cameraCode: 'CAM-H1', bucket: '1h', region: false });
  });
});
