/**
 * FTP migration: the last scan of each server and the last cleanup (GET /ftp/status), where one
 * file is (GET /images/{fileName}: FTP or S3, and its URL), and a device's history
 * (GET /devices/{deviceId}/images, newest first, paged).
 */
import { useState } from 'preact/hooks';
import { api, ApiError, call, storageUrl, type Schemas } from '../api.js';
import { bytes, ErrorBox, fieldError, Loaded, Loading, Page, useLoad, when } from '../ui.js';
import './ftp.css';

type Image = Schemas['Image'];

export function Ftp() {
  return (
    <Page title="FTP migration">
      <Status />
      <Lookup />
      <History />
    </Page>
  );
}

function Status() {
  const status = useLoad(() => call(api().GET('/ftp/status')), [], 30_000);
  return (
    <section class="card" aria-labelledby="status-title">
      <h2 id="status-title">Last scans and cleanup</h2>
      <Loaded load={status} what="the job status">
        {(d) => (
          <>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Scans table">
              <table class="ftp-scans">
                <caption>Scans (servers that cannot notify are listed every 5 minutes)</caption>
                <thead><tr><th scope="col">Server</th><th scope="col">Last scan</th><th scope="col">Devices</th><th scope="col">Dirs listed</th><th scope="col">Queued</th><th scope="col">Errors</th></tr></thead>
                <tbody>
                  {d.scans.map((s) => (
                    <tr key={s.server} data-server={s.server}>
                      <td>{s.server}{!s.scan && <span class="badge">notifies</span>}</td>
                      <td>{s.last ? when(s.last.at) : 'never'}</td>
                      <td class="num">{s.last?.devices ?? '—'}</td>
                      <td class="num">{s.last?.dirsListed ?? '—'}</td>
                      <td class="num" data-queued={s.last?.queued}>{s.last?.queued ?? '—'}</td>
                      <td>{s.last ? (s.last.errorCount ? <span class="badge bad" title={s.last.errors.join('\n')}>{s.last.errorCount}</span> : <span class="badge ok">none</span>) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3>Last cleanup</h3>
            {d.cleanup ? (
              <dl class="ftp-cleanup">
                <div><dt>Ran</dt><dd>{when(d.cleanup.at)}{d.cleanup.dryRun && ' (dry run)'}{d.cleanup.locked && ' (skipped: another run held the lock)'}</dd></div>
                <div><dt>Examined</dt><dd data-examined={d.cleanup.examined}>{d.cleanup.examined}</dd></div>
                <div><dt>Deleted from FTP</dt><dd data-deleted={d.cleanup.deleted}>{d.cleanup.deleted}</dd></div>
                <div><dt>Re-migrated</dt><dd>{d.cleanup.remigrated}</dd></div>
                <div><dt>Waiting / failed</dt><dd>{d.cleanup.waiting} / {d.cleanup.failed}</dd></div>
                <div><dt>Freed</dt><dd>{bytes(d.cleanup.bytesFreed)}</dd></div>
                <div><dt>Migrated before</dt><dd>{when(d.cleanup.cutoff)}</dd></div>
              </dl>
            ) : (
              <p class="state empty">No cleanup has run yet.</p>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function Where(p: { image: Image }) {
  return <span class={`badge ${p.image.location === 's3' ? 'ok' : 'warn'}`}>{p.image.location === 's3' ? 'S3' : 'FTP'}</span>;
}

function Lookup() {
  const [name, setName] = useState('');
  const [device, setDevice] = useState('');
  const [state, setState] = useState<{ s: 'idle' | 'busy' } | { s: 'ok'; image: Image } | { s: 'error'; error: Error }>({ s: 'idle' });
  const find = async (e: Event) => {
    e.preventDefault();
    setState({ s: 'busy' });
    try {
      const image = await call(api().GET('/images/{fileName}', { params: { path: { fileName: name.trim() }, query: device.trim() ? { deviceId: device.trim() } : {} } }));
      setState({ s: 'ok', image });
    } catch (error) {
      setState({ s: 'error', error: error as Error });
    }
  };
  const err = state.s === 'error' ? state.error : undefined;
  const nameErr = fieldError(err, 'path.fileName');
  return (
    <section class="card" aria-labelledby="lookup-title">
      <h2 id="lookup-title">Find a file</h2>
      <form class="ftp-form" onSubmit={find}>
        <label>
          File name
          <input value={name} required placeholder="2026_05_01_10_00_00_12345_0.jpg" onInput={(e) => setName(e.currentTarget.value)} aria-invalid={!!nameErr} aria-describedby={nameErr ? 'name-err' : undefined} />
          {nameErr && <span id="name-err" class="field-error">{nameErr}</span>}
        </label>
        <label>
          Device (if several have the name)
          <input value={device} onInput={(e) => setDevice(e.currentTarget.value)} />
        </label>
        <button type="submit">Find</button>
      </form>
      {state.s === 'busy' && <Loading what="the file" />}
      {err && !nameErr && (err instanceof ApiError && err.status === 404 ? <p class="state empty" role="status">{err.message}</p> : <ErrorBox error={err} />)}
      {state.s === 'ok' && (
        <dl class="ftp-found" aria-label="The file found">
          <div><dt>File</dt><dd>{state.image.fileName}</dd></div>
          <div><dt>Device</dt><dd>{state.image.deviceId}</dd></div>
          <div><dt>Where</dt><dd><Where image={state.image} /></dd></div>
          <div><dt>Captured</dt><dd>{when(state.image.captureTime)}</dd></div>
          {state.image.size !== undefined && <div><dt>Size</dt><dd>{bytes(state.image.size)}</dd></div>}
          <div class="url"><dt>URL</dt><dd><a class="file-url" href={state.image.location === 's3' ? storageUrl(state.image.url) : state.image.url} data-url={state.image.url}>{state.image.url.split('?')[0]}</a></dd></div>
        </dl>
      )}
    </section>
  );
}

function History() {
  const [input, setInput] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [pages, setPages] = useState<string[]>([]);
  const first = useLoad(
    async () => (deviceId ? call(api().GET('/devices/{deviceId}/images', { params: { path: { deviceId }, query: { limit: 50 } } })) : null),
    [deviceId],
  );
  const [more, setMore] = useState<{ items: Image[]; cursor?: string; error?: Error; busy?: boolean }>({ items: [] });
  const cursor = more.cursor ?? (more.items.length ? undefined : first.data?.cursor);
  const loadMore = async () => {
    if (!cursor) return;
    setMore((m) => ({ ...m, busy: true }));
    try {
      const d = await call(api().GET('/devices/{deviceId}/images', { params: { path: { deviceId }, query: { limit: 50, cursor } } }));
      setMore((m) => ({ items: [...m.items, ...d.items], ...(d.cursor ? { cursor: d.cursor } : {}) }));
      setPages((p) => [...p, cursor]);
    } catch (error) {
      setMore((m) => ({ ...m, busy: false, error: error as Error }));
    }
  };
  const err = first.state === 'error' ? first.error : undefined;
  const devErr = fieldError(err, 'path.deviceId');
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Device history</h2>
      <form class="ftp-form" onSubmit={(e) => (e.preventDefault(), setMore({ items: [] }), setPages([]), setDeviceId(input.trim()), first.reload())}>
        <label>
          Device
          <input value={input} required onInput={(e) => setInput(e.currentTarget.value)} aria-invalid={!!devErr} aria-describedby={devErr ? 'dev-err' : undefined} />
          {devErr && <span id="dev-err" class="field-error">{devErr}</span>}
        </label>
        <button type="submit">Show history</button>
      </form>
      {deviceId && (
        <Loaded load={first} what="the history" empty={(d) => !!d && d.items.length === 0 && `No images of ${deviceId}.`}>
          {(d) => d && (
            <>
              <div class="table-wrap" tabIndex={0} role="region" aria-label="History table">
                <table class="ftp-history" aria-label={`Images of ${deviceId}, newest first`}>
                  <thead><tr><th scope="col">File</th><th scope="col">Kind</th><th scope="col">Captured</th><th scope="col">Where</th><th scope="col">Size</th></tr></thead>
                  <tbody>
                    {[...d.items, ...more.items].map((i) => (
                      <tr key={i.fileName} data-file-name={i.fileName}>
                        <td class="name"><a href={i.location === 's3' ? storageUrl(i.url) : i.url}>{i.fileName}</a></td>
                        <td>{i.kind}</td>
                        <td>{when(i.captureTime)}</td>
                        <td><Where image={i} /></td>
                        <td class="num">{i.size !== undefined ? bytes(i.size) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {more.error && <ErrorBox error={more.error} retry={loadMore} />}
              {cursor && <button type="button" disabled={more.busy} onClick={loadMore}>More ({pages.length + 1} page{pages.length ? 's' : ''} shown)</button>}
            </>
          )}
        </Loaded>
      )}
    </section>
  );
}
