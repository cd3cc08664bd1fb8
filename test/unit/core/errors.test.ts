import { describe, expect, it } from 'vitest';
import { DomainError, HttpError, badRequest, conflict, forbidden, notFound, payloadTooLarge, toHttp, unavailable, unprocessable } from '../../../shared/platform/errors.js';

describe('domain errors → HTTP (the one mapping)', () => {
  it('maps each kind to its status and default error name, keeping message and details', () => {
    const rows = [
      [badRequest('bad size', [{ path: 'body.size', message: 'out of range' }]), 400, 'ValidationError'],
      [forbidden('other app'), 403, 'Forbidden'],
      [notFound('no file'), 404, 'NotFound'],
      [conflict('read-only'), 409, 'Conflict'],
      [payloadTooLarge('too big'), 413, 'PayloadTooLarge'],
      [unprocessable('no face', 'UnprocessableImage'), 422, 'UnprocessableImage'],
      [unavailable('no group', 'NoActiveGroup'), 503, 'NoActiveGroup'],
    ] as const;
    for (const [err, status, code] of rows) {
      expect(err).toBeInstanceOf(DomainError);
      expect(err).not.toBeInstanceOf(HttpError);
      const http = toHttp(err)!;
      expect([http.statusCode, http.code, http.message]).toEqual([status, code, err.message]);
    }
    expect(toHttp(badRequest('bad size', [{ path: 'body.size', message: 'out of range' }]))!.details).toEqual([{ path: 'body.size', message: 'out of range' }]);
  });

  it('passes an HttpError through (headers kept) and leaves anything else to the 500 path', () => {
    const busy = new HttpError(503, 'ModelBusy', 'retry', undefined, { 'retry-after': '5' });
    expect(toHttp(busy)).toBe(busy);
    expect(toHttp(new Error('boom'))).toBeUndefined();
    expect(toHttp('boom')).toBeUndefined();
  });
});
