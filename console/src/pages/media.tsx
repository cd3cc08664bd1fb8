/**
 * Media: one user's files (GET /media), upload with progress (parallel presigned parts), play with
 * seeking (the presigned URL straight into <video>, which asks storage for ranges itself), delete
 * after a confirmation, and the storage groups' totals.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call, storageUrl } from '../api.js';
import { bytes, ErrorBox, fieldError, Loaded, Page, useLoad, when } from '../ui.js';
import { upload, type MediaFile } from './media/upload.js';
import './media.css';

type Progress = { sent: number; total: number; parts: number; state: 'sending' | 'done' | 'error'; error?: Error };

export function Media() {
  const [owner, setOwner] = useState({ appId: 'appA', userId: 'console' });
  const files = useLoad(
    () => call(api().GET('/media', { params: { query: { appId: owner.appId, userId: owner.userId, limit: 100 } } })),
    [owner.appId, owner.userId],
  );
  const groups = useLoad(() => call(api().GET('/groups')), []);
  const [playing, setPlaying] = useState<MediaFile | null>(null);
  const [doomed, setDoomed] = useState<MediaFile | null>(null);
  const refresh = () => (files.reload(), groups.reload());

  return (
    <Page title="Media">
      <OwnerForm owner={owner} error={files.state === 'error' ? files.error : undefined} onChange={setOwner} />
      <Uploader owner={owner} onDone={refresh} />
      <section class="card" aria-labelledby="files-title">
        <h2 id="files-title">Files of {owner.userId} ({owner.appId})</h2>
        <Loaded load={files} what="files" empty={(d) => d.files.length === 0 && 'No files yet: upload one above.'}>
          {(d) => (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Files table">
              <table class="media-files">
                <thead>
                  <tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Uploaded</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
                </thead>
                <tbody>
                  {d.files.map((f) => (
                    <tr key={f.fileId} data-file-id={f.fileId}>
                      <td class="name">{f.fileName}</td>
                      <td class="num" data-bytes={f.size}>{bytes(f.size)}</td>
                      <td>{f.contentType}</td>
                      <td><span class="badge">{f.status}</span></td>
                      <td>{when(f.createdAt)}</td>
                      <td class="row-actions">
                        <button type="button" disabled={f.status !== 'ready'} onClick={() => setPlaying(f)} aria-label={`Play ${f.fileName}`}>Play</button>
                        <button type="button" class="danger" onClick={() => setDoomed(f)} aria-label={`Delete ${f.fileName}`}>Delete</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Loaded>
      </section>
      {playing && <Player file={playing} onClose={() => setPlaying(null)} />}
      <Groups load={groups} />
      {doomed && (
        <ConfirmDelete
          file={doomed}
          onClose={(deleted) => {
            if (deleted && playing?.fileId === doomed.fileId) setPlaying(null);
            setDoomed(null);
            if (deleted) refresh();
          }}
        />
      )}
    </Page>
  );
}

function OwnerForm(p: { owner: { appId: string; userId: string }; error?: Error; onChange(o: { appId: string; userId: string }): void }) {
  const [appId, setAppId] = useState(p.owner.appId);
  const [userId, setUserId] = useState(p.owner.userId);
  const appErr = fieldError(p.error, 'query.appId');
  const userErr = fieldError(p.error, 'query.userId');
  return (
    <form class="card media-owner" onSubmit={(e) => (e.preventDefault(), p.onChange({ appId: appId.trim(), userId: userId.trim() }))}>
      <label>
        App
        <input name="appId" value={appId} onInput={(e) => setAppId(e.currentTarget.value)} aria-invalid={!!appErr} aria-describedby={appErr ? 'app-err' : undefined} />
        {appErr && <span id="app-err" class="field-error">{appErr}</span>}
      </label>
      <label>
        User
        <input name="userId" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} aria-invalid={!!userErr} aria-describedby={userErr ? 'user-err' : undefined} />
        {userErr && <span id="user-err" class="field-error">{userErr}</span>}
      </label>
      <button type="submit">Show files</button>
    </form>
  );
}

function Uploader(p: { owner: { appId: string; userId: string }; onDone(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    abort.current = new AbortController();
    setProgress({ sent: 0, total: file.size, parts: 0, state: 'sending' });
    try {
      await upload({
        file, ...p.owner, signal: abort.current.signal,
        onPlan: (parts) => setProgress((g) => g && { ...g, parts }),
        onProgress: (sent, total) => setProgress((g) => g && { ...g, sent, total }),
      });
      setProgress((g) => g && { ...g, sent: g.total, state: 'done' });
      if (input.current) input.current.value = '';
      p.onDone();
    } catch (error) {
      setProgress((g) => g && { ...g, state: 'error', error: error as Error });
    }
  };
  const pct = progress ? Math.round((progress.sent / Math.max(1, progress.total)) * 100) : 0;
  return (
    <form class="card media-upload" onSubmit={start} aria-labelledby="upload-title">
      <h2 id="upload-title">Upload</h2>
      <div class="upload-row">
        <label>
          File to upload
          <input ref={input} type="file" name="file" required />
        </label>
        <button type="submit" disabled={progress?.state === 'sending'}>Upload</button>
        {progress?.state === 'sending' && <button type="button" onClick={() => abort.current?.abort()}>Cancel</button>}
      </div>
      {progress && (
        <div class="upload-progress">
          <progress id="upload-progress" max={100} value={pct} aria-label="Upload progress" data-state={progress.state} />
          <span role="status" aria-live="polite">
            {progress.state === 'done' ? `Uploaded ${bytes(progress.total)}` : `${pct} % of ${bytes(progress.total)}`}
            {progress.parts > 1 && ` in ${progress.parts} parts`}
          </span>
        </div>
      )}
      {progress?.state === 'error' && progress.error && <ErrorBox error={progress.error} />}
    </form>
  );
}

function Player(p: { file: MediaFile; onClose(): void }) {
  const url = useLoad(
    async () => storageUrl((await call(api().GET('/media/{fileId}', { params: { path: { fileId: p.file.fileId }, query: { redirect: 'false' } } }))).url),
    [p.file.fileId],
  );
  return (
    <section class="card media-player" aria-labelledby="player-title">
      <div class="player-head">
        <h2 id="player-title">Playing {p.file.fileName}</h2>
        <button type="button" onClick={p.onClose}>Close player</button>
      </div>
      <Loaded load={url} what="the video">
        {(src) => <video controls preload="metadata" src={src} aria-label={`Video ${p.file.fileName}`} />}
      </Loaded>
    </section>
  );
}

function ConfirmDelete(p: { file: MediaFile; onClose(deleted: boolean): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => ref.current?.showModal(), []);
  const confirm = async () => {
    setBusy(true);
    try {
      await call(api().DELETE('/media/{fileId}', { params: { path: { fileId: p.file.fileId } } }));
      ref.current?.close();
      p.onClose(true);
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} class="media-confirm" aria-labelledby="confirm-title" onCancel={() => p.onClose(false)}>
      <h2 id="confirm-title">Delete {p.file.fileName}?</h2>
      <p>{bytes(p.file.size)} will be removed from storage. This cannot be undone.</p>
      {error && <ErrorBox error={error} />}
      <div class="actions">
        <button type="button" onClick={() => (ref.current?.close(), p.onClose(false))}>Keep it</button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>Delete for good</button>
      </div>
    </dialog>
  );
}

function Groups(p: { load: ReturnType<typeof useLoad<{ groups: { name: string; bucket: string; status: string; files: number; bytes: number }[] }>> }) {
  return (
    <section class="card" aria-labelledby="groups-title">
      <h2 id="groups-title">Storage groups</h2>
      <Loaded load={p.load} what="groups" empty={(d) => d.groups.length === 0 && 'No storage groups.'}>
        {(d) => (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Groups table">
            <table class="media-groups">
              <thead><tr><th scope="col">Group</th><th scope="col">Status</th><th scope="col">Files</th><th scope="col">Bytes</th></tr></thead>
              <tbody>
                {d.groups.map((g) => (
                  <tr key={g.name} data-group={g.name}>
                    <td>{g.name}</td>
                    <td><span class="badge">{g.status}</span></td>
                    <td class="num" data-files={g.files}>{g.files}</td>
                    <td class="num" data-bytes={g.bytes}>{bytes(g.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </section>
  );
}
