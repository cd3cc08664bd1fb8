/**
 * Photos: how many photos wait at each stage of the pipeline (download → analyse → report), from
 * GET /photos?pending=<stage> (the sparse `pending` index — done and failed records are not in an
 * index, so they are looked up by id), and a photo's detail with its detections drawn over it.
 */
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, call } from '../api.js';
import { Loaded, Page, useLoad, when } from '../ui.js';
import './photos.css';

const STAGES = ['download', 'analyse', 'report'] as const;
const WINDOWS = ['15m', '60m', '6h', '24h'];

export function Photos() {
  const { params } = useRoute();
  return params.id ? <PhotoDetail id={Number(params.id)} /> : <PhotoStages />;
}

function PhotoStages() {
  const { query, route } = useLocation();
  const within = WINDOWS.includes(query.within ?? '') ? query.within! : '60m';
  const [lookup, setLookup] = useState('');
  const stages = useLoad(
    () => Promise.all(STAGES.map((pending) => call(api().GET('/photos', { params: { query: { pending, within, limit: 1000 } } })))),
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
      <Loaded load={stages} what="the pipeline">
        {(all) => (
          <div class="stages">
            {all.map((s) => (
              <section class="card photo-stage" key={s.stage} aria-labelledby={`stage-${s.stage}`} data-stage={s.stage}>
                <h2 id={`stage-${s.stage}`}>
                  Waiting to {s.stage}: <span class="count">{s.count}</span>
                </h2>
                {s.ids.length === 0 ? (
                  <p class="state empty">None in the last {within}.</p>
                ) : (
                  <ul class="ids">
                    {s.ids.slice(0, 50).map((id) => (
                      <li key={id}>
                        <a href={`/photos/${id}`}>{id}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            ))}
          </div>
        )}
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
                <dd>{r.cameraCode}</dd>
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
                  <img src={r.photoUrl} alt={`Photo ${r.id} from ${r.cameraCode}`} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
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
