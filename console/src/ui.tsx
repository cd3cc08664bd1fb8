/**
 * The few building blocks every page shares: loading, empty and error states, a data hook that
 * re-runs on its inputs and on demand (and on an interval for live lists), and the page frame.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export type Load<T> =
  | { state: 'loading'; data?: T }
  | { state: 'ok'; data: T }
  | { state: 'error'; error: ApiError | Error; data?: T };

/**
 * Runs `fn` now, again whenever `deps` change, on `reload()`, and every `everyMs` when given.
 * Keeps the last data while reloading (no flicker on polls); ignores answers that arrive late.
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[], everyMs?: number): Load<T> & { reload(): void } {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setLoad((l) => ({ state: 'loading', ...(l.data !== undefined ? { data: l.data } : {}) }) as Load<T>);
    fn().then(
      (data) => n === seq.current && setLoad({ state: 'ok', data }),
      (error: Error) => n === seq.current && setLoad((l) => ({ state: 'error', error, ...(l.data !== undefined ? { data: l.data } : {}) }) as Load<T>),
    );
  }, deps);
  useEffect(() => {
    run();
    if (!everyMs) return;
    const t = setInterval(run, everyMs);
    return () => clearInterval(t);
  }, [run, everyMs]);
  return { ...load, reload: run };
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{props.title}</h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export const Loading = (p: { what?: string }) => (
  <p class="state loading" role="status" aria-live="polite">
    Loading{p.what ? ` ${p.what}` : ''}…
  </p>
);

export const Empty = (p: { children: ComponentChildren }) => <p class="state empty">{p.children}</p>;

export function ErrorBox(p: { error: Error; retry?: () => void }) {
  const status = p.error instanceof ApiError && p.error.status ? ` (HTTP ${p.error.status})` : '';
  return (
    <div class="state error" role="alert">
      <strong>Something went wrong{status}:</strong> {p.error.message}
      {p.retry && (
        <button type="button" onClick={p.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Loading / error / empty / content for one Load, in that order. */
export function Loaded<T>(p: {
  load: Load<T> & { reload?(): void };
  what: string;
  empty?: (d: T) => ComponentChildren | false;
  children: (d: T) => ComponentChildren;
}) {
  const { load } = p;
  if (load.data === undefined) {
    if (load.state === 'error') return <ErrorBox error={load.error} retry={load.reload} />;
    return <Loading what={p.what} />;
  }
  const empty = p.empty?.(load.data);
  return (
    <>
      {load.state === 'error' && <ErrorBox error={load.error} retry={load.reload} />}
      {empty ? <Empty>{empty}</Empty> : p.children(load.data)}
    </>
  );
}

/** The message the API gave for one field (`body.name`), for showing next to that field. */
export function fieldError(err: unknown, path: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return err.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export const when = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');

export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
