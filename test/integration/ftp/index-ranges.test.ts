import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/platform/aws.js';
import { ImageIndex } from '../../../shared/ftp/images.js';
import { resource } from '../../support/names.js';

// DynamoDB refuses BETWEEN with an upper bound below the lower one; an inverted window (a cleanup
// checkpoint newer than the retention cut-off, a history query with from > to) means "nothing".
describe('image index with inverted time windows', () => {
  const index = new ImageIndex(ddb(), resource('ftpImages'));

  it('cleanup candidates: none, no error', async () => {
    const batches = [];
    for await (const b of index.cleanupCandidates('2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z')) batches.push(b);
    expect(batches).toEqual([]);
  });

  it('device history: empty page, no error', async () => {
    const page = await index.history({ deviceId: 'dev-x', from: '2026-01-02T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z', limit: 10 });
    expect(page.items).toEqual([]);
  });
});
