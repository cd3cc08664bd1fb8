/**
 * One camera: its registration and state, people counts from photos, flow through counting lines
 * and occupancy of zones over one time range (every chart on the same axis), and the rules editor
 * (drawn on the latest snapshot, saved with PUT /cameras/{id}/rules).
 */
import { useMemo, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, call } from '../api.js';
import { TimeChart, type Series } from '../chart.js';
import { Loaded, Page, useLoad, when } from '../ui.js';
import { DetectorSection } from './camera/detector.js';
import { RulesEditor } from './camera/rules.js';
import './cameras.css';

type Preset = 'hour' | 'day' | 'week' | 'custom';
type Bucket = '1m' | '5m' | '15m' | '1h' | '1d';

const PRESET_MS: Record<Exclude<Preset, 'custom'>, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/** The bucket for a range: about 60–200 points whatever its length. */
export function bucketFor(spanMs: number): Bucket {
  const h = spanMs / 3_600_000;
  if (h <= 3) return '1m';
  if (h <= 12) return '5m';
  if (h <= 48) return '15m';
  if (h <= 24 * 14) return '1h';
  return '1d';
}

/** `datetime-local` value (the browser's local time) ↔ epoch ms. */
const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => (v ? new Date(v).getTime() : NaN);

const epochS = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function Camera() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const cam = useLoad(() => call(api().GET('/cameras/{cameraId}', { params: { path: { cameraId: id } } })), [id]);
  const status = useLoad(() => call(api().GET('/cameras/status')).then((s) => s.cameras.find((c) => c.cameraId === id) ?? null), [id], 15_000);
  const rules = useLoad(() => call(api().GET('/cameras/{cameraId}/rules', { params: { path: { cameraId: id } } })), [id]);

  const [preset, setPreset] = useState<Preset>('day');
  const [now, setNow] = useState(() => Date.now());
  const [custom, setCustom] = useState(() => ({ from: toLocalInput(Date.now() - 86_400_000), to: toLocalInput(Date.now()) }));
  const range = useMemo(() => {
    if (preset !== 'custom') return { from: now - PRESET_MS[preset], to: now };
    const from = fromLocalInput(custom.from);
    const to = fromLocalInput(custom.to);
    return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : null;
  }, [preset, now, custom.from, custom.to]);
  const bucket = range ? bucketFor(range.to - range.from) : '1h';
  const axis = useMemo<[number, number] | undefined>(() => (range ? [range.from / 1000, range.to / 1000] : undefined), [range]);

  const name = cam.data?.name || id;
  const state = status.data?.state;
  return (
    <Page
      title={`Camera ${name}`}
      actions={
        <>
          {state && <span class={`badge state-${state}`}>{state}</span>}
          <a href="/">All cameras</a>
        </>
      }
    >
      <Loaded load={cam} what="camera">
        {(c) => (
          <dl class="camera-facts">
            <dt>Id</dt>
            <dd>{c.cameraId}</dd>
            <dt>Source</dt>
            <dd class="source">{c.source ?? '— (clips are pushed)'}</dd>
            <dt>Agent</dt>
            <dd>{c.owner ?? '—'}</dd>
            <dt>Last clip</dt>
            <dd>{when(c.lastClipAt)}</dd>
            <dt>Enabled</dt>
            <dd>{c.enabled ? 'yes' : 'no'}</dd>
          </dl>
        )}
      </Loaded>

      <section class="card" aria-labelledby="analytics-title">
        <h2 id="analytics-title">People over time</h2>
        <fieldset class="range-picker">
          <legend>Time range</legend>
          <label>
            Range{' '}
            <select
              value={preset}
              onChange={(e) => {
                setPreset(e.currentTarget.value as Preset);
                setNow(Date.now());
              }}
            >
              <option value="hour">last hour</option>
              <option value="day">last day</option>
              <option value="week">last week</option>
              <option value="custom">custom</option>
            </select>
          </label>
          {preset === 'custom' && (
            <>
              <label>
                From <input type="datetime-local" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.currentTarget.value })} />
              </label>
              <label>
                To <input type="datetime-local" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.currentTarget.value })} />
              </label>
            </>
          )}
          {preset !== 'custom' && (
            <button type="button" onClick={() => setNow(Date.now())}>
              Refresh
            </button>
          )}
          <span class="muted">bucket {bucket}</span>
        </fieldset>
        {!range ? (
          <p class="field-error" role="alert">
            The custom range needs a start before its end.
          </p>
        ) : (
          <Charts cameraId={id} from={range.from} to={range.to} bucket={bucket} axis={axis} rules={rules.data?.rules ?? []} />
        )}
      </section>

      <section class="card" aria-labelledby="rules-title">
        <h2 id="rules-title">Rules</h2>
        <Loaded load={rules} what="rules">
          {(r) => <RulesEditor cameraId={id} initial={r} onSaved={rules.reload} />}
        </Loaded>
      </section>

      <section class="card" aria-labelledby="detector-title">
        <h2 id="detector-title">Count regions (detector)</h2>
        <DetectorSection cameraId={id} />
      </section>
    </Page>
  );
}

interface RuleLike {
  id: string;
  type: string;
  count?: unknown;
}

function Charts(p: { cameraId: string; from: number; to: number; bucket: Bucket; axis?: [number, number]; rules: RuleLike[] }) {
  const from = new Date(p.from).toISOString();
  const to = new Date(p.to).toISOString();
  const counts = useLoad(
    () => call(api().GET('/cameras/{cameraId}/counts', { params: { path: { cameraId: p.cameraId }, query: { from, to, bucket: p.bucket } } })),
    [p.cameraId, from, to, p.bucket],
  );
  const lines = p.rules.filter((r) => r.type === 'line' && r.count === true).map((r) => r.id);
  const zones = p.rules.filter((r) => r.type !== 'line').map((r) => r.id);
  const ruleKey = `${lines.join(',')}|${zones.join(',')}`;
  const series = useLoad(
    async () => {
      const q = (rule: string) => ({ params: { path: { cameraId: p.cameraId }, query: { rule, from, to, bucket: p.bucket } } });
      const [flow, occ] = await Promise.all([
        Promise.all(lines.map((rule) => call(api().GET('/cameras/{cameraId}/flow', q(rule))))),
        Promise.all(zones.map((rule) => call(api().GET('/cameras/{cameraId}/occupancy', q(rule))))),
      ]);
      return { flow, occ };
    },
    [p.cameraId, from, to, p.bucket, ruleKey],
  );
  const countSeries = useMemo(() => {
    const s = counts.data?.series ?? [];
    return {
      times: s.map((b) => epochS(b.start)),
      series: [
        { label: 'people (avg)', color: '#2563eb', values: s.map((b) => b.avg) },
        { label: 'people (max)', color: '#b45309', values: s.map((b) => b.max) },
      ] as Series[],
    };
  }, [counts.data]);
  return (
    <>
      <h3>People in photos</h3>
      <Loaded load={counts} what="photo counts" empty={(d) => d.series.length === 0 && 'No analysed photos of this camera in this range.'}>
        {(d) => (
          <>
            <p class="muted">
              {d.photos} photo{d.photos === 1 ? '' : 's'}
              {d.region ? ' (count region)' : ''}
            </p>
            <TimeChart title={`People per ${p.bucket} in photos of ${p.cameraId}`} times={countSeries.times} series={countSeries.series} range={p.axis} />
          </>
        )}
      </Loaded>
      <h3>Flow and occupancy (video)</h3>
      {lines.length + zones.length === 0 ? (
        <p class="state empty">No counting lines or zones: add a line with “count” or a zone in the rules below.</p>
      ) : (
        <Loaded load={series} what="flow and occupancy">
          {(d) => (
            <>
              {d.flow.map((f) => (
                <FlowChart key={`f-${f.rule}`} title={`Flow through ${f.rule} per ${p.bucket}`} s={f.series} axis={p.axis} />
              ))}
              {d.occ.map((o) => (
                <OccupancyChart key={`o-${o.rule}`} title={`Occupancy of ${o.rule} per ${p.bucket}`} s={o.series} axis={p.axis} />
              ))}
            </>
          )}
        </Loaded>
      )}
    </>
  );
}

function FlowChart(p: { title: string; s: { start: string; in: number; out: number }[]; axis?: [number, number] }) {
  const data = useMemo(
    () => ({
      times: p.s.map((b) => epochS(b.start)),
      series: [
        { label: 'in', color: '#15803d', values: p.s.map((b) => b.in), bars: true },
        { label: 'out', color: '#b91c1c', values: p.s.map((b) => b.out), bars: true },
      ] as Series[],
    }),
    [p.s],
  );
  return (
    <>
      <h4>{p.title}</h4>
      <TimeChart title={p.title} times={data.times} series={data.series} range={p.axis} />
    </>
  );
}

function OccupancyChart(p: { title: string; s: { start: string; avg: number | null; max: number | null }[]; axis?: [number, number] }) {
  const data = useMemo(
    () => ({
      times: p.s.map((b) => epochS(b.start)),
      series: [
        { label: 'avg inside', color: '#7c3aed', values: p.s.map((b) => b.avg) },
        { label: 'max inside', color: '#b45309', values: p.s.map((b) => b.max) },
      ] as Series[],
    }),
    [p.s],
  );
  return (
    <>
      <h4>{p.title}</h4>
      {/* null = no sampled frame in the bucket, which is not the same as an empty zone */}
      {p.s.every((b) => b.avg === null) ? (
        <p class="state empty">No analysed video of this zone in this range.</p>
      ) : (
        <TimeChart title={p.title} times={data.times} series={data.series} range={p.axis} />
      )}
    </>
  );
}
