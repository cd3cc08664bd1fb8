import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

describe('FTP handlers, in process', () => {
  it('given no such image, when it is looked up, then 404 naming it', async () => {
    const r = await http('ftpImagesGet', 'GET', '/images/2026_01_02_03_04_05_1_0.jpg?deviceId=HANDLERS1');
    expect(r.status).toBe(404);
    expect(r.json.message).toContain('2026_01_02_03_04_05_1_0.jpg');
  });

  it('given a notification for an unknown server, then 400 and nothing queued', async () => {
    const r = await http('ftpNotify', 'POST', '/ftp/notify', { body: { server: 'nowhere', path: 'ftpdata/CAM1/2026/01/02/03/2026_01_02_03_04_05_1_0.jpg' } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain('nowhere');
  });
});
