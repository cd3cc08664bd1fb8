/**
 * The rules editor: the camera's latest snapshot with its rules drawn over it (SVG in the frame's
 * pixel coordinates, the coordinates the rules use — shared/rules/schema.ts), click to add points,
 * a form for the selected rule's options, and Save (PUT /cameras/{id}/rules) with the API's
 * validation messages next to the offending fields. Masks are the rule set's `filters.masks`.
 * Every shape's points can also be typed ("x,y x,y …"), so the editor works without a mouse.
 */
import { useState } from 'preact/hooks';
import { ApiError, api, call } from '../../api.js';
import { ErrorBox, fieldError } from '../../ui.js';
import { DrawingStage, fmt, type Pt, type Size } from './stage.js';

export { fmt, type Pt } from './stage.js';
export interface Rule {
  id: string;
  type: string;
  name?: string;
  polygon?: Pt[];
  from?: Pt;
  to?: Pt;
  direction?: 'left-to-right' | 'right-to-left' | 'any';
  [k: string]: unknown;
}
interface RuleSet {
  rules: Rule[];
  filters?: { masks?: Pt[][]; [k: string]: unknown };
}
type Kind = 'zone' | 'loitering' | 'crowding' | 'line' | 'mask';
/** What is selected: a rule (index) or a mask (index). */
type Sel = { rules: number } | { mask: number } | null;

const DEFAULTS: Record<Exclude<Kind, 'mask' | 'line'>, Partial<Rule>> = {
  zone: {},
  loitering: { seconds: 30 },
  crowding: { minCount: 3, seconds: 10 },
};

function parsePts(s: string): Pt[] | null {
  const out: Pt[] = [];
  for (const tok of s.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(tok);
    if (!m) return null;
    out.push([Number(m[1]), Number(m[2])]);
  }
  return out;
}

function newId(rules: Rule[], type: string): string {
  for (let n = 1; ; n++) if (!rules.some((r) => r.id === `${type}-${n}`)) return `${type}-${n}`;
}

export function RulesEditor(p: { cameraId: string; initial: RuleSet; onSaved(): void }) {
  const [set, setSet] = useState<RuleSet>(() => structuredClone({ rules: p.initial.rules as Rule[], ...(p.initial.filters ? { filters: p.initial.filters as RuleSet['filters'] } : {}) }));
  const [size, setSize] = useState<Size | null>(null);
  const [drawing, setDrawing] = useState<{ kind: Kind; pts: Pt[] } | null>(null);
  const [sel, setSel] = useState<Sel>(null);
  const [err, setErr] = useState<ApiError | Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const masks = set.filters?.masks ?? [];

  const change = (next: RuleSet) => {
    setSet(next);
    setSaved(null);
  };
  const setRule = (i: number, r: Rule) => change({ ...set, rules: set.rules.map((x, j) => (j === i ? r : x)) });
  const setMasks = (m: Pt[][]) => {
    const filters = { ...(set.filters ?? {}) };
    if (m.length) filters.masks = m;
    else delete filters.masks;
    const { filters: _drop, ...rest } = set;
    change(Object.keys(filters).length ? { ...rest, filters } : rest);
  };

  const finish = (d: { kind: Kind; pts: Pt[] }) => {
    setDrawing(null);
    if (d.pts.length === 0) return;
    if (d.kind === 'mask') {
      setMasks([...masks, d.pts]);
      setSel({ mask: masks.length });
      return;
    }
    const id = newId(set.rules, d.kind);
    const rule: Rule =
      d.kind === 'line'
        ? { id, type: 'line', from: d.pts[0]!, to: d.pts[1] ?? d.pts[0]!, direction: 'any' }
        : { id, type: d.kind, polygon: d.pts, ...DEFAULTS[d.kind] };
    change({ ...set, rules: [...set.rules, rule] });
    setSel({ rules: set.rules.length });
  };

  const onPoint = (pt: Pt) => {
    if (!drawing) return;
    const next = { ...drawing, pts: [...drawing.pts, pt] };
    if (next.kind === 'line' && next.pts.length === 2) finish(next);
    else setDrawing(next);
  };

  const save = async () => {
    setSaving(true);
    setErr(null);
    try {
      const body = { rules: set.rules, ...(set.filters ? { filters: set.filters } : {}) };
      const r = await call(api().PUT('/cameras/{cameraId}/rules', { params: { path: { cameraId: p.cameraId } }, body: body as never }));
      setSaved(`Saved ${set.rules.length} rule${set.rules.length === 1 ? '' : 's'} at ${new Date(r.updatedAt ?? Date.now()).toLocaleTimeString()}.`);
      p.onSaved();
    } catch (e) {
      setErr(e as Error);
    } finally {
      setSaving(false);
    }
  };

  const selected = sel && 'rules' in sel ? set.rules[sel.rules] : undefined;
  const details = err instanceof ApiError ? err.details : [];
  return (
    <div class="rules-editor">
      <div class="rules-canvas">
        <div class="toolbar" role="toolbar" aria-label="Draw">
          {(['zone', 'loitering', 'crowding', 'line', 'mask'] as Kind[]).map((k) => (
            <button key={k} type="button" aria-pressed={drawing?.kind === k} disabled={!size || (drawing !== null && drawing.kind !== k)} onClick={() => setDrawing({ kind: k, pts: [] })}>
              {k === 'line' ? 'Draw line' : k === 'mask' ? 'Draw mask' : `Draw ${k}`}
            </button>
          ))}
          {drawing && drawing.kind !== 'line' && (
            <button type="button" class="primary" onClick={() => finish(drawing)}>
              Finish shape ({drawing.pts.length} point{drawing.pts.length === 1 ? '' : 's'})
            </button>
          )}
          {drawing && (
            <button type="button" onClick={() => setDrawing(null)}>
              Cancel
            </button>
          )}
        </div>
        <p class="muted" aria-live="polite">
          {drawing
            ? drawing.kind === 'line'
              ? `Click the line's start, then its end (${drawing.pts.length}/2).`
              : `Click to add points (${drawing.pts.length}), then Finish shape.`
            : size
              ? `Frame ${size.w}×${size.h} px. Pick a tool to draw, or a rule to edit.`
              : 'The rules are drawn on the latest snapshot; it appears once a clip of this camera is processed.'}
        </p>
        <DrawingStage
          cameraId={p.cameraId}
          imgClass="editor-snapshot"
          label="Rules drawn on the snapshot"
          testId="rules-overlay"
          size={size}
          onSize={setSize}
          draft={drawing?.pts ?? null}
          onPoint={onPoint}
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" fill="#facc15" />
            </marker>
          </defs>
          {masks.map((m, i) => (
            <polygon key={`m${i}`} class={`shape mask${sel && 'mask' in sel && sel.mask === i ? ' selected' : ''}`} points={fmt(m)} />
          ))}
          {size && set.rules.map((r, i) => (
            <Shape key={`r${i}`} r={r} selected={!!sel && 'rules' in sel && sel.rules === i} scale={size.w / 640} />
          ))}
        </DrawingStage>
      </div>

      <div class="rules-side">
        <h3>Rules and masks</h3>
        {set.rules.length === 0 && masks.length === 0 ? (
          <p class="state empty">No rules yet. Draw a zone or a line on the snapshot.</p>
        ) : (
          <ul class="rule-list">
            {set.rules.map((r, i) => (
              <li key={`r${i}`}>
                <button type="button" aria-pressed={!!sel && 'rules' in sel && sel.rules === i} onClick={() => setSel({ rules: i })}>
                  {r.type} <strong>{r.id}</strong>
                </button>
                {fieldError(err, `body.rules.${i}`) && <span class="field-error"> has errors</span>}
              </li>
            ))}
            {masks.map((_, i) => (
              <li key={`m${i}`}>
                <button type="button" aria-pressed={!!sel && 'mask' in sel && sel.mask === i} onClick={() => setSel({ mask: i })}>
                  mask <strong>{i + 1}</strong>
                </button>
              </li>
            ))}
          </ul>
        )}

        {selected && sel && 'rules' in sel && (
          <RuleForm
            key={sel.rules}
            rule={selected}
            base={`body.rules.${sel.rules}`}
            err={err}
            onChange={(r) => setRule(sel.rules, r)}
            onDelete={() => {
              change({ ...set, rules: set.rules.filter((_, j) => j !== sel.rules) });
              setSel(null);
            }}
          />
        )}
        {sel && 'mask' in sel && masks[sel.mask] && (
          <fieldset class="rule-form">
            <legend>Mask {sel.mask + 1}</legend>
            <p class="muted">People whose feet are inside a mask are ignored by every rule.</p>
            <PointsField label="Points (x,y …)" pts={masks[sel.mask]!} error={fieldError(err, `body.filters.masks.${sel.mask}`)} onChange={(pts) => setMasks(masks.map((m, j) => (j === sel.mask ? pts : m)))} />
            <button
              type="button"
              class="danger"
              onClick={() => {
                setMasks(masks.filter((_, j) => j !== sel.mask));
                setSel(null);
              }}
            >
              Delete mask
            </button>
          </fieldset>
        )}

        <div class="save-row">
          <button type="button" class="primary" onClick={save} disabled={saving}>
            {saving ? 'Saving…' : 'Save rules'}
          </button>
          {saved && (
            <span role="status" class="ok-text">
              {saved}
            </span>
          )}
        </div>
        {err && (
          <div class="rules-errors">
            <ErrorBox error={err} />
            {details.length > 0 && (
              <ul aria-label="Problems">
                {details.map((d) => (
                  <li key={d.path}>
                    <code>{d.path.replace(/^body\./, '')}</code>: {d.message}
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

function Shape(p: { r: Rule; selected: boolean; scale: number }) {
  const { r } = p;
  const cls = `shape ${r.type}${p.selected ? ' selected' : ''}`;
  if (r.type === 'line' && r.from && r.to) {
    const [x1, y1] = r.from;
    const [x2, y2] = r.to;
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    // 'left-to-right' crosses towards the right-hand side of from→to (y down): normal (-dy, dx).
    const nx = (-(y2 - y1) / len) * 30 * p.scale;
    const ny = ((x2 - x1) / len) * 30 * p.scale;
    const dir = r.direction ?? 'any';
    return (
      <g class={cls}>
        <line x1={x1} y1={y1} x2={x2} y2={y2} />
        {dir !== 'right-to-left' && <line class="arrow" x1={mx} y1={my} x2={mx + nx} y2={my + ny} marker-end="url(#arrow)" />}
        {dir !== 'left-to-right' && <line class="arrow" x1={mx} y1={my} x2={mx - nx} y2={my - ny} marker-end="url(#arrow)" />}
        <text x={x1} y={y1 - 6 * p.scale} font-size={14 * p.scale}>
          {r.id}
        </text>
      </g>
    );
  }
  if (r.polygon?.length) {
    const [x, y] = r.polygon[0]!;
    return (
      <g class={cls}>
        <polygon points={fmt(r.polygon)} />
        <text x={x} y={y - 6 * p.scale} font-size={14 * p.scale}>
          {r.id}
        </text>
      </g>
    );
  }
  return null;
}

export function PointsField(p: { label: string; pts: Pt[]; error?: string; onChange(pts: Pt[]): void }) {
  const [text, setText] = useState(fmt(p.pts));
  const [bad, setBad] = useState(false);
  const id = `pts-${p.label.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <textarea
        id={id}
        rows={2}
        value={text}
        aria-invalid={bad || !!p.error}
        aria-describedby={p.error || bad ? `${id}-err` : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onChange={(e) => {
          const pts = parsePts(e.currentTarget.value);
          setBad(!pts);
          if (pts) p.onChange(pts);
        }}
      />
      {(bad || p.error) && (
        <span id={`${id}-err`} class="field-error">
          {bad ? 'write points as x,y separated by spaces' : p.error}
        </span>
      )}
    </div>
  );
}

/** A text or number input bound to one option of the rule; empty removes the option. */
function Opt(p: { rule: Rule; k: string; label: string; num?: boolean; base: string; err: unknown; onChange(r: Rule): void }) {
  const id = `opt-${p.k}`;
  const error = fieldError(p.err, `${p.base}.${p.k}`);
  const v = p.rule[p.k];
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        type={(p.num ? 'number' : 'text') as 'text'}
        step="any"
        value={v === undefined ? '' : String(v)}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          const next = { ...p.rule };
          if (raw === '') delete next[p.k];
          else next[p.k] = p.num ? Number(raw) : raw;
          p.onChange(next);
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

function RuleForm(p: { rule: Rule; base: string; err: unknown; onChange(r: Rule): void; onDelete(): void }) {
  const { rule } = p;
  const o = { rule, base: p.base, err: p.err, onChange: p.onChange };
  const lineErr = fieldError(p.err, `${p.base}.from`) ?? fieldError(p.err, `${p.base}.to`);
  return (
    <fieldset class="rule-form">
      <legend>
        {rule.type} rule {rule.id}
      </legend>
      <Opt {...o} k="id" label="Id" />
      <Opt {...o} k="name" label="Name" />
      {rule.polygon && <PointsField label="Polygon (x,y …)" pts={rule.polygon} error={fieldError(p.err, `${p.base}.polygon`)} onChange={(pts) => p.onChange({ ...rule, polygon: pts })} />}
      {rule.type === 'zone' && <Opt {...o} k="minDurationSeconds" label="Min. seconds inside" num />}
      {rule.type === 'loitering' && <Opt {...o} k="seconds" label="Seconds inside" num />}
      {rule.type === 'crowding' && (
        <>
          <Opt {...o} k="minCount" label="Min. people" num />
          <Opt {...o} k="seconds" label="Seconds" num />
          <Opt {...o} k="clearBelow" label="Clear below (people)" num />
        </>
      )}
      {rule.type === 'line' && rule.from && rule.to && (
        <>
          <PointsField
            label="From, to (x,y x,y)"
            pts={[rule.from, rule.to]}
            error={lineErr}
            onChange={(pts) => pts.length === 2 && p.onChange({ ...rule, from: pts[0]!, to: pts[1]! })}
          />
          <div class="field">
            <label for="opt-direction">Direction</label>
            <select id="opt-direction" value={rule.direction ?? ''} onChange={(e) => p.onChange({ ...rule, direction: (e.currentTarget.value || undefined) as Rule['direction'] })}>
              <option value="">(none: counting only)</option>
              <option value="any">any</option>
              <option value="left-to-right">left to right</option>
              <option value="right-to-left">right to left</option>
            </select>
            {fieldError(p.err, `${p.base}.direction`) && <span class="field-error">{fieldError(p.err, `${p.base}.direction`)}</span>}
          </div>
          <button type="button" onClick={() => p.onChange({ ...rule, from: rule.to!, to: rule.from! })}>
            Swap ends (reverse)
          </button>
          <label class="check">
            <input type="checkbox" checked={rule.count === true} onChange={(e) => p.onChange({ ...rule, count: e.currentTarget.checked || undefined })} /> Count crossings (flow)
          </label>
          <label class="check">
            <input type="checkbox" checked={rule.alarm === true} onChange={(e) => p.onChange({ ...rule, alarm: e.currentTarget.checked || undefined })} /> Alarm on crossings
          </label>
        </>
      )}
      <Opt {...o} k="cooldownSeconds" label="Cooldown (s)" num />
      <Opt {...o} k="minScore" label="Min. score (0–1)" num />
      <Opt {...o} k="minArea" label="Min. box area (px²)" num />
      <Opt {...o} k="maxArea" label="Max. box area (px²)" num />
      <Opt {...o} k="minAspect" label="Min. aspect (h/w)" num />
      <Opt {...o} k="maxAspect" label="Max. aspect (h/w)" num />
      <Opt {...o} k="inertia" label="Inertia (frames)" num />
      <Schedule rule={rule} base={p.base} err={p.err} onChange={p.onChange} />
      <button type="button" class="danger" onClick={p.onDelete}>
        Delete rule
      </button>
    </fieldset>
  );
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
interface Hours {
  days: string[];
  from: string;
  to: string;
}

/** The rule's `activeHours` (camera time zone): alarms only inside these ranges; none = always. */
function Schedule(p: { rule: Rule; base: string; err: unknown; onChange(r: Rule): void }) {
  const hours = (p.rule.activeHours as Hours[] | undefined) ?? [];
  const put = (h: Hours[]) => {
    const next = { ...p.rule };
    if (h.length) next.activeHours = h;
    else delete next.activeHours;
    p.onChange(next);
  };
  const edit = (i: number, h: Partial<Hours>) => put(hours.map((x, j) => (j === i ? { ...x, ...h } : x)));
  const top = fieldError(p.err, `${p.base}.activeHours`);
  return (
    <fieldset class="schedule">
      <legend>Active hours</legend>
      {hours.length === 0 && <p class="muted">Always active.</p>}
      {top && <span class="field-error">{top}</span>}
      {hours.map((h, i) => {
        const b = `${p.base}.activeHours.${i}`;
        const e = fieldError(p.err, `${b}.days`) ?? fieldError(p.err, `${b}.from`) ?? fieldError(p.err, `${b}.to`) ?? fieldError(p.err, b);
        return (
          <div key={i} class="hours-row" role="group" aria-label={`Active range ${i + 1}`}>
            <div class="days">
              {WEEKDAYS.map((d) => (
                <label key={d} class="check">
                  <input type="checkbox" checked={h.days.includes(d)} onChange={(ev) => edit(i, { days: ev.currentTarget.checked ? WEEKDAYS.filter((x) => x === d || h.days.includes(x)) : h.days.filter((x) => x !== d) })} /> {d}
                </label>
              ))}
            </div>
            <label>
              From <input type="time" value={h.from} onInput={(ev) => edit(i, { from: ev.currentTarget.value })} />
            </label>
            <label>
              To <input type="time" value={h.to} onInput={(ev) => edit(i, { to: ev.currentTarget.value })} />
            </label>
            <button type="button" onClick={() => put(hours.filter((_, j) => j !== i))}>
              Remove range {i + 1}
            </button>
            {e && <span class="field-error">{e}</span>}
          </div>
        );
      })}
      <button type="button" onClick={() => put([...hours, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }])}>
        Add active range
      </button>
    </fieldset>
  );
}
