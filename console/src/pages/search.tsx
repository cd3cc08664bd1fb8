/**
 * Face search: drop or pick a photo, POST /search with its bytes (base64), draw the faces found on
 * it, and list each face's best matches in the index with their scores, thumbnails and links.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, call, storageUrl } from '../api.js';
import { ErrorBox, Loading } from '../ui.js';
import './search.css';

type Answer = { faces: { box: number[]; score: number; matches: { imageKey: string; faceIndex: number; score: number; box: number[]; url: string }[] }[] };
type Picked = { file: File; url: string; width: number; height: number };
const MAX_BYTES = 7 * 1024 * 1024; // base64 grows by 4/3; the API takes bodies up to 10 MB

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsDataURL(file);
  });
}

const size = (url: string) =>
  new Promise<{ width: number; height: number }>((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => reject(new Error('this file is not an image the browser can show'));
    img.src = url;
  });

export function Search() {
  const [picked, setPicked] = useState<Picked | null>(null);
  const [state, setState] = useState<{ s: 'idle' | 'busy' } | { s: 'ok'; answer: Answer } | { s: 'error'; error: Error }>({ s: 'idle' });
  const [over, setOver] = useState(false);
  useEffect(() => () => picked && URL.revokeObjectURL(picked.url), [picked]);

  const take = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_BYTES) return setState({ s: 'error', error: new Error(`the image is ${Math.round(file.size / 1e6)} MB; at most 7 MB`) });
    const url = URL.createObjectURL(file);
    setState({ s: 'busy' });
    try {
      setPicked({ file, url, ...(await size(url)) });
      const answer = (await call(api().POST('/search', { body: { imageBase64: await readBase64(file), k: 5 } }))) as Answer;
      setState({ s: 'ok', answer });
    } catch (error) {
      setState({ s: 'error', error: error as Error });
    }
  };

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head"><h1 id="page-title">Face search</h1></header>
      <div
        class={`card drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => (e.preventDefault(), setOver(true))}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => (e.preventDefault(), setOver(false), take(e.dataTransfer?.files[0]))}
      >
        <p>Drop a photo here, or</p>
        <label class="pick">
          Choose a photo to search
          <input type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => take(e.currentTarget.files?.[0])} />
        </label>
      </div>
      {state.s === 'busy' && <Loading what="faces and matches" />}
      {state.s === 'error' && <ErrorBox error={state.error} />}
      {picked && (
        <div class="search-result">
          <figure class="card query">
            <div class="boxed" style={{ aspectRatio: `${picked.width} / ${picked.height}` }}>
              <img src={picked.url} alt={`The photo searched: ${picked.file.name}`} />
              {state.s === 'ok' && state.answer.faces.map((f, i) => (
                <span
                  key={i}
                  class="face-box"
                  style={{ left: `${(f.box[0]! / picked.width) * 100}%`, top: `${(f.box[1]! / picked.height) * 100}%`, width: `${(f.box[2]! / picked.width) * 100}%`, height: `${(f.box[3]! / picked.height) * 100}%` }}
                  aria-hidden="true"
                >
                  <b>{i + 1}</b>
                </span>
              ))}
            </div>
            <figcaption>
              {picked.file.name}
              {state.s === 'ok' && ` — ${state.answer.faces.length} face${state.answer.faces.length === 1 ? '' : 's'} found`}
            </figcaption>
          </figure>
          {state.s === 'ok' && state.answer.faces.length === 0 && <p class="state empty">No faces found in this photo: nothing to search for.</p>}
          {state.s === 'ok' && state.answer.faces.length > 0 && (
            <ol class="faces">
              {state.answer.faces.map((f, i) => (
                <li key={i} class="card face">
                  <h2>Face {i + 1} <span class="muted">(detection {(f.score * 100).toFixed(0)} %)</span></h2>
                  {f.matches.length === 0 ? (
                    <p class="state empty">No similar face in the index.</p>
                  ) : (
                    <ol class="matches">
                      {f.matches.map((m) => (
                        <li key={`${m.imageKey}#${m.faceIndex}`} class="match" data-image-key={m.imageKey}>
                          <a href={storageUrl(m.url)} target="_blank" rel="noopener noreferrer">
                            <img src={storageUrl(m.url)} alt="" loading="lazy" />
                            <span class="key">{m.imageKey}</span>
                          </a>
                          <span class="score">similarity {m.score.toFixed(2)}</span>
                        </li>
                      ))}
                    </ol>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
