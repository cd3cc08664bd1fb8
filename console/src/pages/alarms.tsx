/**
 * Alarms: a camera's alarms, newest first (GET /alarms needs a cameraId), filtered by rule and
 * time (both applied by the API: rule=, from=, to=), paged with nextCursor, polled every 10 s so
 * new alarms appear (and are highlighted) without a reload.
 * The detail shows the snapshot, the replay in a seekable <video>, push attempts and track ids.
 * Filters live in the URL query so a view can be shared.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, call, storageUrl, type Schemas } from '../api.js';
import { fieldError, Loaded, Page, useLoad, when } from '../ui.js';
import './alarms.css';

type Alarm = Schemas['Alarm'];

export function Alarms() {
  const { params } = useRoute();
  return params.id ? <AlarmDetail id={params.id} /> : <AlarmList />;
}

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

function AlarmList() {
  const { query, route } = useLocation();
  const cameraId = query.camera ?? '';
  const rule = query.rule ?? '';
  const from = query.from ?? '';
  const to = query.to ?? '';
  const set = (k: string, v: string) => {
    const q = new URLSearchParams({ camera: cameraId, rule, from, to, [k]: v });
    for (const [key, val] of [...q.entries()]) if (!val) q.delete(key);
    route(`/alarms?${q.toString()}`, true);
  };
  const cameras = useLoad(() => call(api().GET('/cameras/status')), []);
  // The rules to choose from: the camera's own (an unregistered camera has none) and health alarms.
  const rules = useLoad(
    () =>
      cameraId
        ? call(api().GET('/cameras/{cameraId}/rules', { params: { path: { cameraId } } })).then((r) => r.rules.map((x) => x.id), () => [] as string[])
        : Promise.resolve([] as string[]),
    [cameraId],
  );
  const ruleChoices = [...new Set([...(rules.data ?? []), 'camera.offline', 'camera.online', ...(rule ? [rule] : [])])];
  const [older, setOlder] = useState<{ items: Alarm[]; cursor: string | null } | null>(null);
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    setOlder(null);
    seen.current = null;
    setFresh(new Set());
  }, [cameraId, rule, from, to]);
  const filter = { cameraId, rule: rule || undefined, from: toIso(from), to: toIso(to), limit: '50' };
  const page = useLoad(
    () =>
      cameraId
        ? call(api().GET('/alarms', { params: { query: filter } }))
        : Promise.resolve({ items: [] as Alarm[], nextCursor: null }),
    [cameraId, rule, from, to],
    10_000,
  );
  // Alarms not in the first answer are new: highlight them.
  useEffect(() => {
    if (page.state !== 'ok') return;
    const ids = page.data.items.map((a) => a.alarmId);
    if (!seen.current) seen.current = new Set(ids);
    else {
      const added = ids.filter((id) => !seen.current!.has(id));
      if (added.length) {
        added.forEach((id) => seen.current!.add(id));
        setFresh((f) => new Set([...f, ...added]));
      }
    }
  }, [page.state, page.data]);

  const more = async () => {
    const cursor = older ? older.cursor : page.data?.nextCursor;
    if (!cursor) return;
    const next = await call(api().GET('/alarms', { params: { query: { ...filter, cursor } } }));
    setOlder({ items: [...(older?.items ?? []), ...next.items], cursor: next.nextCursor });
  };

  const ruleError = fieldError(page.state === 'error' ? page.error : undefined, 'query.rule');
  return (
    <Page title="Alarms">
      <form class="card alarm-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Camera
          <select value={cameraId} onChange={(e) => set('camera', e.currentTarget.value)}>
            <option value="">Choose a camera…</option>
            {/* A camera from the link that the registry does not list (clips pushed without registering), or not yet. */}
            {cameraId && !(cameras.data?.cameras ?? []).some((c) => c.cameraId === cameraId) && <option value={cameraId}>{cameraId}</option>}
            {(cameras.data?.cameras ?? []).map((c) => (
              <option key={c.cameraId} value={c.cameraId}>
                {c.cameraId}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select value={rule} onChange={(e) => set('rule', e.currentTarget.value)} aria-describedby={ruleError ? 'rule-error' : undefined}>
            <option value="">Any rule</option>
            {ruleChoices.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
          {ruleError && (
            <span id="rule-error" class="field-error">
              {ruleError}
            </span>
          )}
        </label>
        <label>
          From
          <input type="datetime-local" value={from} onChange={(e) => set('from', e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={to} onChange={(e) => set('to', e.currentTarget.value)} />
        </label>
      </form>
      {!cameraId ? (
        <p class="state empty">Choose a camera to see its alarms.</p>
      ) : (
        <Loaded
          load={page}
          what="alarms"
          empty={(d) => d.items.length === 0 && !d.nextCursor && (rule ? `No alarms of rule “${rule}” for this camera in this window.` : 'No alarms for this camera in this window.')}
        >
          {(d) => {
            const shown = [...d.items, ...(older?.items ?? []).filter((o) => !d.items.some((a) => a.alarmId === o.alarmId))];
            const cursor = older ? older.cursor : d.nextCursor;
            return (
              <>
                <div class="table-wrap" tabIndex={0} role="region" aria-label="Alarms">
                  <table class="alarms">
                    <caption>Alarms of {cameraId}, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Started</th>
                        <th scope="col">Rule</th>
                        <th scope="col">Tracks</th>
                        <th scope="col">Replay</th>
                        <th scope="col">Push</th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((a) => (
                        <tr key={a.alarmId} class={fresh.has(a.alarmId) ? 'fresh' : undefined} data-alarm={a.alarmId}>
                          <td>
                            <a href={`/alarms/${a.alarmId}`}>{when(a.startedAt ?? a.createdAt)}</a>
                            {fresh.has(a.alarmId) && <span class="badge">new</span>}
                          </td>
                          <td>{a.ruleName ?? a.rule} <small>({a.ruleType})</small></td>
                          <td>{a.trackIds.join(', ')}</td>
                          <td>{a.replayReady ? 'ready' : 'pending'}</td>
                          <td>{a.pushStatus ?? '—'} ({a.pushAttempts})</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {/* With a rule the API reads a bounded number of alarms per page: none yet, maybe older ones. */}
                {shown.length === 0 && <p class="state empty">No alarms of rule “{rule}” among the newest ones read; load more to look further back.</p>}
                {cursor && (
                  <button type="button" onClick={() => void more()}>
                    Load more
                  </button>
                )}
              </>
            );
          }}
        </Loaded>
      )}
    </Page>
  );
}

function AlarmDetail(p: { id: string }) {
  const alarm = useLoad(() => call(api().GET('/alarms/{alarmId}', { params: { path: { alarmId: p.id } } })), [p.id]);
  return (
    <Page title={`Alarm ${p.id}`} actions={<a href={alarm.data ? `/alarms?camera=${alarm.data.cameraId}` : '/alarms'}>All alarms</a>}>
      <Loaded load={alarm} what="the alarm">
        {(a) => (
          <div class="alarm-detail">
            <dl class="card">
              <dt>Camera</dt>
              <dd>{a.cameraId}</dd>
              <dt>Rule</dt>
              <dd>{a.ruleName ?? a.rule} ({a.ruleType})</dd>
              <dt>Started</dt>
              <dd>{when(a.startedAt)}</dd>
              <dt>Ended</dt>
              <dd>{when(a.endedAt)}</dd>
              <dt>Track ids</dt>
              <dd class="track-ids">{a.trackIds.join(', ') || '—'}</dd>
              <dt>Replay</dt>
              <dd class="replay-state">{a.replayReady ? 'ready' : 'pending'}</dd>
            </dl>
            <figure class="card">
              <figcaption>Snapshot</figcaption>
              {a.snapshotUrl ? <img class="snapshot" src={storageUrl(a.snapshotUrl)} alt={`Snapshot of alarm ${a.alarmId}`} /> : <p class="state empty">No snapshot.</p>}
            </figure>
            <figure class="card">
              <figcaption>Replay</figcaption>
              {a.replayUrl ? (
                <video class="replay" controls preload="metadata" src={storageUrl(a.replayUrl)} aria-label={`Replay of alarm ${a.alarmId}`} />
              ) : (
                <p class="state empty">The replay is not ready yet.</p>
              )}
            </figure>
            <div class="card">
              <h2>Push attempts</h2>
              {a.pushes.length === 0 ? (
                <p class="state empty">No push attempts.</p>
              ) : (
                <div class="table-wrap" tabIndex={0} role="region" aria-label="Push attempts">
                  <table class="pushes">
                    <thead>
                      <tr>
                        <th scope="col">Attempt</th>
                        <th scope="col">At</th>
                        <th scope="col">OK</th>
                        <th scope="col">HTTP status</th>
                        <th scope="col">Error</th>
                        <th scope="col">ms</th>
                      </tr>
                    </thead>
                    <tbody>
                      {a.pushes.map((x) => (
                        <tr key={x.attempt}>
                          <td>{x.attempt}</td>
                          <td>{when(x.at)}</td>
                          <td>{x.ok ? 'yes' : 'no'}</td>
                          <td>{x.httpStatus ?? '—'}</td>
                          <td>{x.error ?? '—'}</td>
                          <td>{Math.round(x.ms)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </div>
        )}
      </Loaded>
    </Page>
  );
}
