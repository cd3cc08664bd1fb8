/**
 * The camera wall: one card per camera with its recording state, owning agent, last clip and
 * latest snapshot; filter by state. Refreshes every 15 s (states change as agents come and go).
 */
import { useState } from 'preact/hooks';
import { api, call } from '../api.js';
import { Loaded, Page, useLoad, when } from '../ui.js';

export const STATES = ['recording', 'starting', 'stalled', 'orphaned', 'unassigned', 'disabled', 'receiving', 'idle'] as const;

export function Cameras() {
  const load = useLoad(() => call(api().GET('/cameras/status')), [], 15_000);
  const [state, setState] = useState('');
  return (
    <Page
      title="Cameras"
      actions={
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">all</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
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
              .map((c) => (
                <li key={c.cameraId} class="card camera-card">
                  <a href={`/cameras/${encodeURIComponent(c.cameraId)}`}>
                    <CameraSnapshot cameraId={c.cameraId} />
                    <h2>{typeof c.name === 'string' && c.name ? c.name : c.cameraId}</h2>
                  </a>
                  <span class={`badge state-${c.state}`}>{c.state}</span>
                  <dl>
                    <dt>Agent</dt>
                    <dd>{c.owner ?? '—'}</dd>
                    <dt>Last clip</dt>
                    <dd>{when(c.lastClipAt)}</dd>
                  </dl>
                </li>
              ))}
          </ul>
        )}
      </Loaded>
    </Page>
  );
}

/** The camera's latest snapshot (GET /cameras/{id}/snapshot redirects to it), or a placeholder. */
export function CameraSnapshot(p: { cameraId: string }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <div class="snapshot none">no snapshot yet</div>;
  return <img class="snapshot" alt={`Latest snapshot of ${p.cameraId}`} loading="lazy" src={snapshotSrc(p.cameraId)} onError={() => setFailed(true)} />;
}

/** Placeholder until the snapshot endpoint exists: the page renders "no snapshot yet". */
export const snapshotSrc = (cameraId: string) => `data:,${encodeURIComponent(cameraId)}`;
