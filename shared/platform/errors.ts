/** A detail of an error answer: `path` names the offending field. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** An HTTP answer as an error: for handlers and the HTTP stack (capability code throws DomainErrors). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * What went wrong, in the domain's terms: capability code throws these and knows nothing of HTTP;
 * the HTTP stack answers them through `toHttp`, the one mapping (kind → status).
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'unprocessable' | 'unavailable';

const HTTP: Record<DomainErrorKind, { status: number; code: string }> = {
  invalid: { status: 400, code: 'ValidationError' },
  forbidden: { status: 403, code: 'Forbidden' },
  'not-found': { status: 404, code: 'NotFound' },
  conflict: { status: 409, code: 'Conflict' },
  'too-large': { status: 413, code: 'PayloadTooLarge' },
  unprocessable: { status: 422, code: 'Unprocessable' },
  unavailable: { status: 503, code: 'Unavailable' },
};

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: ErrorDetail[],
    /** A more precise name for the answer's `error` field (e.g. NoActiveGroup); defaults by kind. */
    readonly code: string = HTTP[kind].code,
  ) {
    super(message);
    this.name = code;
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new DomainError('invalid', message, details);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not-found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const payloadTooLarge = (message: string) => new DomainError('too-large', message);
export const unprocessable = (message: string, code?: string) => new DomainError('unprocessable', message, undefined, code);
export const unavailable = (message: string, code?: string) => new DomainError('unavailable', message, undefined, code);
export const unauthorized = (message = 'missing or invalid x-api-key header') =>
  new HttpError(401, 'Unauthorized', message);

/** The one mapping of failures to HTTP answers: HttpErrors as they are, domain errors by kind; else undefined (a 500). */
export function toHttp(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(HTTP[err.kind].status, err.code, err.message, err.details);
  return undefined;
}

/** A failure that retrying cannot fix (bad input, 404 upstream...): consumers record it and stop. */
export class PermanentError extends Error {
  constructor(message: string, readonly reason: string = message) {
    super(message);
    this.name = 'PermanentError';
  }
}
