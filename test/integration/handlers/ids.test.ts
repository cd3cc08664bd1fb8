import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { http } from '../../support/handler.js';

// Handler mode (test/support/handler.ts): the function in this process, against the emulators.
describe('ids handler, in process', () => {
  it('given a new key, when 3 then 2 ids are asked for, then they follow on and never repeat', async () => {
    const key = `h-${randomUUID().slice(0, 8)}`;
    const first = await http('ids', 'POST', `/ids/${key}?count=3`);
    const second = await http('ids', 'POST', `/ids/${key}?count=2`);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ key, ids: [1, 2, 3] });
    expect(second.json).toEqual({ key, ids: [4, 5] });
  });

  it('given a bad count, then 400 naming the field', async () => {
    const r = await http('ids', 'POST', '/ids/k?count=zero');
    expect(r.status).toBe(400);
    expect(r.json.details[0].path).toBe('query.count');
  });
});
