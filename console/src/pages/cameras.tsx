/**
 * The camera wall: one card per camera with its recording state, owning agent, last clip and
 * latest snapshot; filter by state (with a count per state). Refreshes every 15 s (states change as
 * agents come and go).
 */
import { useState } from 'preact/hooks';
import { api, call, storageUrl } from '../api.js';
import { Loaded, Page, useLoad, when } from '../ui.js';
import './cameras.css';

export const STATES = ['recording', 'starting', 'stalled', 'orphaned', 'unassigned', 'disabled', 'receiving', 'idle'] as const;

export function Cameras() {
  const load = useLoad(() => call(api().GET('/cameras/status')), [], 15_000);
  const [state, setState] = useState('');
  const counts = new Map<string, number>();
  for (const c of load.data?.cameras ?? []) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const total = load.data?.cameras.length;
  return (
    <Page
      title="Cameras"
      actions={
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">all{total !== undefined ? ` (${total})` : ''}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
                {load.data ? ` (${counts.get(s) ?? 0})` : ''}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <Loaded
        load={load}
        what="cameras"
        empty={(d) =>
          d.cameras.length === 0
            ? 'No cameras yet. Register one with PUT /cameras/{cameraId} or let clips arrive.'
            : d.cameras.every((c) => state && c.state !== state) && `No camera is ${state}.`
        }
      >
        {(d) => (
          <ul class="wall" aria-label="Cameras">
            {d.cameras
              .filter((c) => !state || c.state === state)
              .map((c) => {
                const name = typeof c.name === 'string' && c.name ? c.name : c.cameraId;
                return (
                  <li key={c.cameraId} class="card camera-card" data-camera={c.cameraId}>
                    <a href={`/cameras/${encodeURIComponent(c.cameraId)}`}>
                      <CameraSnapshot cameraId={c.cameraId} version={c.lastClipAt} />
                      <h2>{name}</h2>
                    </a>
                    <span class={`badge state-${c.state}`}>{c.state}</span>
                    <dl>
                      {name !== c.cameraId && (
                        <>
                          <dt>Id</dt>
                          <dd>{c.cameraId}</dd>
                        </>
                      )}
                      <dt>Agent</dt>
                      <dd>{c.owner ?? '—'}</dd>
                      <dt>Last clip</dt>
                      <dd>{when(c.lastClipAt)}</dd>
                    </dl>
                  </li>
                );
              })}
          </ul>
        )}
      </Loaded>
    </Page>
  );
}

/**
 * The presigned URL of a camera's latest snapshot, or null when it has none. An <img> cannot send
 * the x-api-key header and fetch() cannot read a redirect's Location, so this asks for the URL as
 * JSON (GET /cameras/{id}/snapshot?redirect=false).
 */
export async function snapshotUrl(cameraId: string): Promise<string | null> {
  const r = await api().GET('/cameras/{cameraId}/snapshot', { params: { path: { cameraId }, query: { redirect: 'false' } } });
  if (r.response.status === 404) return null;
  const d = await call(Promise.resolve(r));
  return storageUrl((d as { url: string }).url);
}

/** The camera's latest snapshot, or a placeholder. `version` changes refetch it (a new clip). */
export function CameraSnapshot(p: { cameraId: string; version?: string | null; class?: string; onSize?(w: number, h: number): void }) {
  const load = useLoad(() => snapshotUrl(p.cameraId), [p.cameraId, p.version]);
  const [failed, setFailed] = useState<string | null>(null);
  const url = load.data;
  if (url === undefined) return <div class={`snapshot none ${p.class ?? ''}`}>{load.state === 'error' ? 'snapshot unavailable' : 'loading snapshot…'}</div>;
  if (url === null || failed === url) return <div class={`snapshot none ${p.class ?? ''}`}>no snapshot yet</div>;
  return (
    <img
      class={`snapshot ${p.class ?? ''}`}
      alt={`Latest snapshot of ${p.cameraId}`}
      src={url}
      onLoad={(e) => p.onSize?.(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight)}
      onError={() => setFailed(url)}
    />
  );
}
