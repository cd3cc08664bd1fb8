/**
 * Photos: the pipeline state of the photos announced in a window — how many wait at each stage
 * (download → analyse → report) and how many ended done or failed — from GET /photos/stats (counts of
 * the sparse `pending` and `outcome` indexes), the waiting ids from GET /photos?pending=<stage>, and a
 * photo's detail with its detections drawn over it.
 */
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, call } from '../api.js';
import { Loaded, Page, useLoad, when } from '../ui.js';
import './photos.css';

const STAGES = ['download', 'analyse', 'report'] as const;
const WINDOWS = ['15m', '60m', '6h', '24h', '7d'];
/** Ids listed per waiting stage; the count above the list is the full one. */
const SHOWN = 50;

export function Photos() {
  const { params } = useRoute();
  return params.id ? <PhotoDetail id={Number(params.id)} /> : <PhotoStages />;
}

function PhotoStages() {
  const { query, route } = useLocation();
  const within = WINDOWS.includes(query.within ?? '') ? query.within! : '60m';
  const [lookup, setLookup] = useState('');
  const load = useLoad(
    () => Promise.all([
      call(api().GET('/photos/stats', { params: { query: { within } } })),
      Promise.all(STAGES.map((pending) => call(api().GET('/photos', { params: { query: { pending, within, limit: SHOWN } } })))),
    ]),
    [within],
    10_000,
  );
  return (
    <Page title="Photos">
      <form class="card photo-tools" onSubmit={(e) => (e.preventDefault(), lookup && route(`/photos/${lookup}`))}>
        <label>
          Window
          <select value={within} onChange={(e) => route(`/photos?within=${e.currentTarget.value}`, true)}>
            {WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
        <label>
          Photo id
          <input inputMode="numeric" pattern="[0-9]+" value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} />
        </label>
        <button type="submit">Open</button>
      </form>
      <Loaded load={load} what="the pipeline">
        {([stats, lists]) => {
          const counts: Array<[string, string, number]> = [
            ...STAGES.map((s): [string, string, number] => [s, `Waiting to ${s}`, stats.pending[s]]),
            ['done', 'Done', stats.done],
            ['failed', 'Failed', stats.failed],
          ];
          const total = counts.reduce((n, c) => n + c[2], 0);
          return (
            <>
              <section class="card pipeline" aria-labelledby="pipeline-title">
                <h2 id="pipeline-title">Photos announced in the last {within}</h2>
                <ol class="pipeline-counts">
                  {counts.map(([key, label, n]) => (
                    <li key={key} data-stage={key} class={`pipeline-${key}`}>
                      <span class="label">{label}</span>
                      <span class="count">{n}</span>
                    </li>
                  ))}
                </ol>
                <p class="state">
                  {total} in all, with a call time from {when(stats.from)} to {when(stats.to)}.
                </p>
              </section>
              <div class="stages">
                {lists.map((s) => (
                  <section class="card photo-stage" key={s.stage} aria-labelledby={`ids-${s.stage}`} data-ids={s.stage}>
                    <h2 id={`ids-${s.stage}`}>Waiting to {s.stage}</h2>
                    {s.ids.length === 0 ? (
                      <p class="state empty">None in the last {within}.</p>
                    ) : (
                      <ul class="ids">
                        {s.ids.map((id) => (
                          <li key={id}>
                            <a href={`/photos/${id}`}>{id}</a>
                          </li>
                        ))}
                      </ul>
                    )}
                    {stats.pending[s.stage] > s.ids.length && <p class="state">and {stats.pending[s.stage] - s.ids.length} more</p>}
                  </section>
                ))}
              </div>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

/** box = [x, y, width, height] in the photo's pixels. */
type Detection = { box: [number, number, number, number]; score: number };

function PhotoDetail(p: { id: number }) {
  const photo = useLoad(() => call(api().GET('/photos/{id}', { params: { path: { id: String(p.id) } } })), [p.id]);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  return (
    <Page title={`Photo ${p.id}`} actions={<a href="/photos">All stages</a>}>
      <Loaded load={photo} what="the photo">
        {(r) => {
          const detections = ((r as { detections?: Detection[] }).detections ?? []) as Detection[];
          return (
            <div class="photo-detail">
              <dl class="card">
                <dt>Status</dt>
                <dd class="photo-status">{r.status}</dd>
                <dt>Camera</dt>
                <dd>{r.cameraId}</dd>
                <dt>Taken</dt>
                <dd>{when(r.callTime)}</dd>
                <dt>People</dt>
                <dd>{r.numOfPeople ?? '—'}</dd>
                <dt>Stages</dt>
                <dd>
                  downloaded {r.downloaded ? 'yes' : 'no'}, analysed {r.analysed ? 'yes' : 'no'}, reported {r.reported ? 'yes' : 'no'}
                </dd>
                {Object.entries(r.lastError).map(([k, v]) => (
                  <>
                    <dt>Error ({k})</dt>
                    <dd>{v}</dd>
                  </>
                ))}
              </dl>
              <figure class="card photo-figure">
                <div class="photo-frame">
                  <img src={r.photoUrl} alt={`Photo ${r.id} from ${r.cameraId}`} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
                  {size && (
                    <svg class="boxes" viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="none" aria-hidden="true">
                      {detections.map((d, i) => (
                        <rect key={i} class="box" x={d.box[0]} y={d.box[1]} width={d.box[2]} height={d.box[3]} />
                      ))}
                    </svg>
                  )}
                </div>
                <figcaption>{detections.length} detections drawn</figcaption>
              </figure>
            </div>
          );
        }}
      </Loaded>
    </Page>
  );
}
