import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('media store handlers, in process', () => {
  it('given a planned upload whose bytes went to its URL, when it is completed, then it turns from not ready to ready and downloads as uploaded', async () => {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const bytes = randomBytes(1024);
    const planned = await http('mediaCreateUpload', 'POST', '/media/uploads', { body: { appId: 'handlers', userId, fileName: 'clip.mp4', size: bytes.length, contentType: 'video/mp4' } });
    expect(planned.status).toBe(201);
    const { fileId, upload } = planned.json as { fileId: string; upload: { method: string; url: string; headers: Record<string, string> } };
    expect((await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes })).status).toBe(200);

    const before = await http('mediaGet', 'GET', `/media/${fileId}`);
    expect(before.status).toBe(404);
    expect(before.json.message).toMatch(/not ready/);
    const done = await http('mediaCompleteUpload', 'POST', `/media/uploads/${fileId}/complete`, { body: {} });
    expect(done.status).toBe(200);
    const head = await http('mediaGet', 'HEAD', `/media/${fileId}`);
    expect(head.status).toBe(200);
    expect(head.headers).toMatchObject({ 'x-media-size': '1024', 'content-type': 'video/mp4' });
    const link = await http('mediaGet', 'GET', `/media/${fileId}?redirect=false`);
    expect(Buffer.from(await (await fetch(link.json.url)).arrayBuffer()).equals(bytes)).toBe(true);
  });
});
