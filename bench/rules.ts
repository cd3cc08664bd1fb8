/**
 * Cost of the rules engine per sampled frame: 50 confirmed tracks walking through 20 rules, every
 * analytics option on (counting lines with hysteresis, occupancy, masks, score/area/aspect filters,
 * inertia, schedules, cooldown), beside the same 20 rules with none of them — the engine's cost
 * before analytics — and the target (< 1 ms per frame). Pure CPU, no stack.
 *
 * `npm run bench -- rules` (also step R of `npm run bench -- clips`).
 */
import { createRuleState, evaluateRules, type EngineFrame } from '../shared/rules/engine.js';
import { parseRuleSet, type RuleSet } from '../shared/rules/schema.js';
import { isMain, printTable } from './util.js';

const TRACKS = 50;
const RULES = 20;
const FRAMES = 4000;
const TARGET_MS = 1;

function ruleSet(analytics: boolean): RuleSet {
  const rules: unknown[] = [];
  for (let i = 0; i < RULES; i++) {
    const x = 30 + i * 35;
    const zone = [[x, 100], [x + 120, 100], [x + 140, 500], [x - 10, 500]];
    const extra = analytics
      ? { minScore: 0.3, minArea: 200, maxArea: 60_000, minAspect: 0.8, maxAspect: 6, inertia: 2, masks: [[[x, 0], [x + 20, 0], [x + 20, 30]]], cooldownSeconds: 30, activeHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }, { days: ['sat'], from: '22:00', to: '06:00' }] }
      : {};
    switch (i % 4) {
      case 0: rules.push({ id: `z${i}`, type: 'zone', polygon: zone, ...extra }); break;
      case 1: rules.push({ id: `l${i}`, type: 'line', from: [x, 550], to: [x, 50], direction: 'any', ...(analytics ? { count: true, alarm: true } : {}), ...extra }); break;
      case 2: rules.push({ id: `w${i}`, type: 'loitering', polygon: zone, seconds: 10, ...extra }); break;
      default: rules.push({ id: `c${i}`, type: 'crowding', polygon: zone, minCount: 5, seconds: 3, ...(analytics ? { clearBelow: 3, clearSeconds: 2 } : {}), ...extra });
    }
  }
  const p = parseRuleSet({ rules, ...(analytics ? { filters: { minScore: 0.2 } } : {}) });
  if (!p.ok) throw new Error(JSON.stringify(p.details));
  return p.value;
}

/** 50 people walking back and forth across the image at 2 fps, a detection score each. */
function frames(): EngineFrame[] {
  const t0 = Date.UTC(2026, 5, 3, 9, 0, 0); // a Wednesday morning: schedules active
  return Array.from({ length: FRAMES }, (_, f) => ({
    tsMs: t0 + f * 500,
    tracks: Array.from({ length: TRACKS }, (_, k) => {
      const x = (k * 97 + f * (3 + (k % 5))) % 760;
      const y = 120 + ((k * 53) % 380);
      return { trackId: k + 1, box: [x - 15, y - 80, 30, 80] as [number, number, number, number], confirmed: true, matched: (f + k) % 7 !== 0, score: 0.3 + (k % 7) / 10 };
    }),
  }));
}

function time(rs: RuleSet, fs: EngineFrame[]): number {
  let state = createRuleState();
  for (const f of fs.slice(0, 200)) state = evaluateRules(rs, state, f).ruleState; // warm-up (JIT)
  state = createRuleState();
  const t = performance.now();
  for (const f of fs) state = evaluateRules(rs, state, f, { timeZone: 'Asia/Shanghai' }).ruleState;
  return (performance.now() - t) / fs.length;
}

export async function benchRules(): Promise<{ msPerFrame: number; plainMsPerFrame: number }> {
  const fs = frames();
  const plainMsPerFrame = time(ruleSet(false), fs);
  const msPerFrame = time(ruleSet(true), fs);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  printTable(`rules engine per sampled frame: ${TRACKS} tracks × ${RULES} rules, ${FRAMES} frames`, [
    { run: 'target', 'ms/frame': TARGET_MS },
    { run: 'baseline: the 20 rules without analytics options', 'ms/frame': r(plainMsPerFrame) },
    { run: 'analytics: counting, occupancy, filters, masks, inertia, schedules, cooldown', 'ms/frame': r(msPerFrame), 'meets target': msPerFrame < TARGET_MS },
  ]);
  return { msPerFrame, plainMsPerFrame };
}

if (isMain(import.meta.url)) await benchRules();
