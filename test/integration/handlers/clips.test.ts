import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('camera handlers, in process', () => {
  it('given a camera put, when it is read, then it has the name and no rules', async () => {
    const id = `cam-h-${randomUUID().slice(0, 8)}`;
    const put = await http('clipsCameraPut', 'PUT', `/cameras/${id}`, { body: { name: 'Gate 1', enabled: true } });
    expect(put.status).toBe(200);
    const got = await http('clipsCameraGet', 'GET', `/cameras/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ cameraId: id, name: 'Gate 1', enabled: true, rules: [] });
  });

  it('given no such camera, then 404', async () => {
    expect((await http('clipsCameraGet', 'GET', `/cameras/cam-missing-${randomUUID().slice(0, 8)}`)).status).toBe(404);
  });
});
