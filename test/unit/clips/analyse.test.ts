import { describe, expect, it } from 'vitest';
import { analyseClip, createCameraState, type CameraState } from '../../../shared/clips/analyse.js';
import { parseRuleSet, type RuleSet } from '../../../shared/rules/schema.js';
import type { FrameResult } from '../../../shared/clips/messages.js';

const T0 = 1_700_000_000_000;
/** One person walking right at 40 px per 500 ms frame (x = 40 + 40 i), standing on y = 280. */
function walkerClip(clipIndex: number, extra: (i: number) => FrameResult['detections'] = () => []): FrameResult[] {
  return Array.from({ length: 10 }, (_, f) => {
    const i = clipIndex * 10 + f;
    return { tsMs: T0 + i * 500, detections: [{ box: [40 + 40 * i, 200, 30, 80], score: 0.7 }, ...extra(i)] };
  });
}
const rules = (r: unknown): RuleSet => {
  const p = parseRuleSet(r);
  if (!p.ok) throw new Error(JSON.stringify(p.details));
  return p.value;
};
const zone = rules({ rules: [{ id: 'path', type: 'zone', polygon: [[300, 250], [500, 250], [500, 320], [300, 320]] }] });
const json = (s: CameraState): CameraState => JSON.parse(JSON.stringify(s));

describe('analyseClip', () => {
  it('keeps one track id across a clip boundary when the state goes through JSON in between', () => {
    const a = analyseClip(createCameraState(), zone, walkerClip(0));
    const b = analyseClip(json(a.state), zone, walkerClip(1));
    expect(a.tracks.map((t) => t.trackId)).toEqual([1]);
    expect(b.tracks.map((t) => t.trackId)).toEqual([1]);
    expect(b.tracks[0]).toMatchObject({ firstTsMs: T0 + 5000, lastTsMs: T0 + 9500, frames: 10 });
  });

  it('folds the violations of a clip into incidents; the next clip continues the same incident', () => {
    const a = analyseClip(createCameraState(), zone, walkerClip(0));
    // Bottom-centre x = 55 + 40 i enters [300, 500] at i = 7 (x 335), leaves after i = 11 (x 495).
    expect(a.incidents).toEqual([{ incidentKey: 'path#t1', ruleId: 'path', type: 'zone', startedAt: T0 + 3500, endedAt: T0 + 4500, trackIds: [1] }]);
    const b = analyseClip(json(a.state), zone, walkerClip(1));
    expect(b.incidents).toEqual([{ incidentKey: 'path#t1', ruleId: 'path', type: 'zone', startedAt: T0 + 3500, endedAt: T0 + 5500, trackIds: [1] }]);
  });

  it('ignores a clip delivered twice or late (frames not newer than the state)', () => {
    const a = analyseClip(createCameraState(), zone, walkerClip(0));
    const b = analyseClip(a.state, zone, walkerClip(1));
    const again = analyseClip(b.state, zone, walkerClip(1));
    expect(again).toMatchObject({ processedFrames: 0, ignoredFrames: 10, incidents: [], tracks: [] });
    expect(again.state).toEqual(b.state);
    const late = analyseClip(b.state, zone, walkerClip(0));
    expect(late.processedFrames).toBe(0);
  });

  it('sorts frames by time and reports crowding with every member', () => {
    const crowd = rules({ rules: [{ id: 'crowd', type: 'crowding', polygon: [[0, 0], [2000, 0], [2000, 1000], [0, 1000]], minCount: 2, seconds: 1 }] });
    const second = (i: number) => [{ box: [40 + 40 * i, 400, 30, 80] as [number, number, number, number], score: 0.6 }];
    const frames = walkerClip(0, second).reverse();
    const r = analyseClip(createCameraState(), crowd, frames);
    expect(r.processedFrames).toBe(10);
    // Confirmed at the 2nd frame (minHits 2): the episode starts at 500 ms and fires 1 s later.
    expect(r.incidents).toEqual([{ incidentKey: `crowd#${T0 + 500}`, ruleId: 'crowd', type: 'crowding', startedAt: T0 + 500, endedAt: T0 + 4500, trackIds: [1, 2] }]);
  });

  it('without rules still tracks', () => {
    const r = analyseClip(createCameraState(), { rules: [] }, walkerClip(0));
    expect(r.incidents).toEqual([]);
    expect(r.tracks).toHaveLength(1);
  });
});
