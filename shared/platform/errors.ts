/** An error that maps to an HTTP answer. `details` name the offending fields. */
export interface ErrorDetail {
  path: string;
  message: string;
}

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

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new HttpError(400, 'ValidationError', message, details);
export const unauthorized = (message = 'missing or invalid x-api-key header') =>
  new HttpError(401, 'Unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'Forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'NotFound', message);
export const conflict = (message: string) => new HttpError(409, 'Conflict', message);
export const payloadTooLarge = (message: string) => new HttpError(413, 'PayloadTooLarge', message);

/** A failure that retrying cannot fix (bad input, 404 upstream...): consumers record it and stop. */
export class PermanentError extends Error {
  constructor(message: string, readonly reason: string = message) {
    super(message);
    this.name = 'PermanentError';
  }
}
