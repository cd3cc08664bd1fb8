/**
 * The camera's detector settings (GET/PUT/DELETE /cameras/{id}/detector, shared/clips/registry/detector.ts):
 * the person counter's thresholds and size bounds, shared by its photos and clips, and its count
 * region and masks, drawn on the latest snapshot like the rules (click points, then Finish; or type
 * them). Empty fields take the model's defaults, shown as placeholders.
 */
import { useState } from 'preact/hooks';
import { ApiError, api, call } from '../../api.js';
import { ErrorBox, Loaded, fieldError, useLoad, when } from '../../ui.js';
import { PointsField } from './rules.js';
import { DrawingStage, fmt, type Pt, type Size } from './stage.js';

type Settings = Record<string, unknown> & { countRegion?: Pt[]; masks?: Pt[][] };
type Kind = 'region' | 'mask';

/** The numeric options of the schema, in the order the form shows them. */
const NUMBERS: Array<{ k: string; label: string }> = [
  { k: 'minScore', label: 'Min. score (0–1)' },
  { k: 'crowdMinScore', label: 'Crowd min. score (0–1)' },
  { k: 'crowdFrom', label: 'Crowd from (people)' },
  { k: 'crowdScale', label: 'Crowd scale (1–3)' },
  { k: 'iou', label: 'Overlap IoU (0.05–0.95)' },
  { k: 'minArea', label: 'Min. box area (px²)' },
  { k: 'maxArea', label: 'Max. box area (px²)' },
  { k: 'minAspect', label: 'Min. aspect (h/w)' },
  { k: 'maxAspect', label: 'Max. aspect (h/w)' },
];

export function DetectorSection(p: { cameraId: string }) {
  const load = useLoad(() => call(api().GET('/cameras/{cameraId}/detector', { params: { path: { cameraId: p.cameraId } } })), [p.cameraId]);
  // Kept here: the editor starts afresh from what the API stored after each save or reset.
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <Loaded load={load} what="detector settings">
      {(d) => <DetectorEditor key={d.updatedAt ?? 'defaults'} cameraId={p.cameraId} view={d} msg={msg} setMsg={setMsg} onSaved={load.reload} />}
    </Loaded>
  );
}

interface View {
  settings: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  model: string;
  updatedAt: string | null;
}

function DetectorEditor(p: { cameraId: string; view: View; msg: string | null; setMsg(m: string | null): void; onSaved(): void }) {
  const [s, setS] = useState<Settings>(() => structuredClone(p.view.settings) as Settings);
  const [size, setSize] = useState<Size | null>(null);
  const [drawing, setDrawing] = useState<{ kind: Kind; pts: Pt[] } | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const { msg, setMsg } = p;
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const masks = s.masks ?? [];
  const defaults = p.view.defaults ?? {};

  const change = (next: Settings) => {
    setS(next);
    setMsg(null);
  };
  const set = (k: string, v: unknown) => {
    const next = { ...s };
    if (v === undefined) delete next[k];
    else next[k] = v;
    change(next);
  };
  const finish = (d: { kind: Kind; pts: Pt[] }) => {
    setDrawing(null);
    if (d.pts.length === 0) return;
    if (d.kind === 'region') set('countRegion', d.pts);
    else set('masks', [...masks, d.pts]);
  };
  const onPoint = (pt: Pt) => drawing && setDrawing({ ...drawing, pts: [...drawing.pts, pt] });

  const run = async (what: 'save' | 'reset') => {
    setBusy(true);
    setErr(null);
    setConfirming(false);
    try {
      const path = { params: { path: { cameraId: p.cameraId } } };
      if (what === 'save') await call(api().PUT('/cameras/{cameraId}/detector', { ...path, body: s as never }));
      else await call(api().DELETE('/cameras/{cameraId}/detector', path));
      setMsg(what === 'save' ? `Saved the detector settings at ${new Date().toLocaleTimeString()}.` : 'Reset to the model defaults.');
      p.onSaved();
    } catch (e) {
      setErr(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const details = err instanceof ApiError ? err.details : [];
  const scale = size ? size.w / 640 : 1;
  return (
    <div class="rules-editor detector-editor">
      <div class="rules-canvas">
        <div class="toolbar" role="toolbar" aria-label="Draw detector shapes">
          <button type="button" aria-pressed={drawing?.kind === 'region'} disabled={!size || (drawing !== null && drawing.kind !== 'region')} onClick={() => setDrawing({ kind: 'region', pts: [] })}>
            {s.countRegion ? 'Redraw count region' : 'Draw count region'}
          </button>
          <button type="button" aria-pressed={drawing?.kind === 'mask'} disabled={!size || (drawing !== null && drawing.kind !== 'mask')} onClick={() => setDrawing({ kind: 'mask', pts: [] })}>
            Draw detector mask
          </button>
          {drawing && (
            <>
              <button type="button" class="primary" onClick={() => finish(drawing)}>
                Finish region ({drawing.pts.length} point{drawing.pts.length === 1 ? '' : 's'})
              </button>
              <button type="button" onClick={() => setDrawing(null)}>
                Cancel
              </button>
            </>
          )}
        </div>
        <p class="muted" aria-live="polite">
          {drawing
            ? `Click to add points (${drawing.pts.length}), then Finish region.`
            : size
              ? 'People whose feet are inside the count region are counted apart; inside a detector mask, not at all.'
              : 'The regions are drawn on the latest snapshot; it appears once a clip of this camera is processed.'}
        </p>
        <DrawingStage
          cameraId={p.cameraId}
          imgClass="editor-snapshot detector-snapshot"
          label="Count region and detector masks drawn on the snapshot"
          testId="detector-overlay"
          size={size}
          onSize={setSize}
          draft={drawing?.pts ?? null}
          onPoint={onPoint}
        >
          {masks.map((m, i) => (
            <polygon key={`m${i}`} class="shape mask" points={fmt(m)} />
          ))}
          {s.countRegion && (
            <g class="shape region">
              <polygon points={fmt(s.countRegion)} />
              <text x={s.countRegion[0]![0]} y={s.countRegion[0]![1] - 6 * scale} font-size={14 * scale}>
                count region
              </text>
            </g>
          )}
        </DrawingStage>
      </div>

      <div class="rules-side">
        <p class="muted">
          Model {p.view.model}; {Object.keys(p.view.settings).length ? `set ${when(p.view.updatedAt)}` : 'no settings of its own (model defaults)'}.
        </p>
        <fieldset class="rule-form">
          <legend>Count region and masks</legend>
          {s.countRegion ? (
            <>
              <PointsField key={`r-${fmt(s.countRegion)}`} label="Count region (x,y …)" pts={s.countRegion} error={fieldError(err, 'body.countRegion')} onChange={(pts) => set('countRegion', pts)} />
              <button type="button" class="danger" onClick={() => set('countRegion', undefined)}>
                Remove count region
              </button>
            </>
          ) : (
            <p class="state empty">No count region: every person in the frame counts.</p>
          )}
          {masks.map((m, i) => (
            <div key={`m${i}-${fmt(m)}`} class="mask-row">
              <PointsField label={`Detector mask ${i + 1} (x,y …)`} pts={m} error={fieldError(err, `body.masks.${i}`)} onChange={(pts) => set('masks', masks.map((x, j) => (j === i ? pts : x)))} />
              <button type="button" class="danger" onClick={() => set('masks', masks.length > 1 ? masks.filter((_, j) => j !== i) : undefined)}>
                Delete mask {i + 1}
              </button>
            </div>
          ))}
        </fieldset>
        <fieldset class="rule-form">
          <legend>Detector options</legend>
          {NUMBERS.map(({ k, label }) => (
            <NumField key={k} k={k} label={label} value={s[k]} placeholder={defaults[k]} err={err} onChange={(v) => set(k, v)} />
          ))}
          <label class="check">
            <input type="checkbox" checked={s.ignoreTopEdge === true} onChange={(e) => set('ignoreTopEdge', e.currentTarget.checked || undefined)} /> Ignore people cut by the top edge
          </label>
        </fieldset>
        <div class="save-row">
          <button type="button" class="primary" onClick={() => run('save')} disabled={busy}>
            {busy ? 'Saving…' : 'Save detector settings'}
          </button>
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)} disabled={busy || Object.keys(p.view.settings).length === 0}>
              Reset to defaults…
            </button>
          ) : (
            <span role="group" aria-label="Confirm reset" class="confirm">
              Clear this camera's settings?{' '}
              <button type="button" class="danger" onClick={() => run('reset')}>
                Yes, reset
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Keep them
              </button>
            </span>
          )}
          {msg && (
            <span role="status" class="ok-text">
              {msg}
            </span>
          )}
        </div>
        {err && (
          <div class="rules-errors">
            <ErrorBox error={err} />
            {details.length > 0 && (
              <ul aria-label="Detector problems">
                {details.map((d) => (
                  <li key={d.path}>
                    <code>{d.path.replace(/^body\.?/, '') || '(settings)'}</code>: {d.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

function NumField(p: { k: string; label: string; value: unknown; placeholder: unknown; err: unknown; onChange(v: number | undefined): void }) {
  const id = `det-${p.k}`;
  const error = fieldError(p.err, `body.${p.k}`);
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        type="number"
        step="any"
        value={p.value === undefined ? '' : String(p.value)}
        placeholder={typeof p.placeholder === 'number' ? `default ${p.placeholder}` : 'model default'}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : undefined}
        // On every keystroke: a click on Save right after typing must see the value.
        onInput={(e) => {
          const raw = e.currentTarget.value;
          // A half-typed number ("0.") reads as '' with badInput: wait for the rest.
          if (raw === '' && e.currentTarget.validity.badInput) return;
          p.onChange(raw === '' ? undefined : Number(raw));
        }}
      />
      {error && (
        <span id={`${id}-err`} class="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
