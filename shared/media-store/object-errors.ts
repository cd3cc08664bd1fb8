/** S3 error predicates of the media store, apart from objects.ts so that the store needs no S3 client to use them. */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404 && e?.name !== 'NoSuchUpload';
}

export function isNoSuchUpload(err: unknown): boolean {
  return (err as { name?: string })?.name === 'NoSuchUpload';
}
