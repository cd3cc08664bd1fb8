/** One webhook delivery: POST JSON with an Idempotency-Key; any non-2xx or network error is a failure. */
export interface DeliveryResult {
  ok: boolean;
  httpStatus?: number;
  error?: string;
  ms: number;
}

export async function deliver(url: string, payload: unknown, idempotencyKey: string, timeoutMs: number): Promise<DeliveryResult> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'user-agent': 'panoptes-alarms/1' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined); // drain so the connection is reused
    return { ok: res.ok, httpStatus: res.status, ms: performance.now() - t0, ...(res.ok ? {} : { error: `HTTP ${res.status}` }) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, error: e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`, ms: performance.now() - t0 };
  }
}
