import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { badRequest, notFound } from '../../shared/platform/errors.js';
import { formatRuleSetErrors, parseRuleSet } from '../../shared/rules/schema.js';
import { iso } from '../../shared/clips/api.js';
import * as api from '../../shared/api/clips.js';
import { clipIndexRepo } from '../../shared/clips/store.js';
import type { CameraHealthFields } from '../../shared/clips/registry/health.js';
import { cameraStatus, type AgentItem, type CameraItem } from '../../shared/clips/registry/liveness.js';
import { agentsRepo, camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import { storedDetectorSettings } from '../../shared/clips/registry/detector.js';
import { BUNDLED_MODELS, MODEL_DEFAULTS, chosenModel, type BundledModel } from '../../shared/vision/persons/catalog.js';

/**
 * Cameras: registration (PUT /cameras/{id} { source }), rules, status, clip index.
 * A camera exists once anything names it: PUT /cameras/{id}, PUT /cameras/{id}/rules or its first
 * clip. Only cameras with a source are tasks that capture agents claim.
 */
const cfg = loadClipsSettings(
  'CLIPS_CLIP_SECONDS', 'CLIPS_CAMERAS_TABLE', 'CLIPS_AGENTS_TABLE', 'CLIPS_AGENT_RETENTION_DAYS', 'CLIPS_TABLE', 'CLIPS_RETENTION_DAYS',
);
const registry = camerasRepo(cfg);
const agentsTable = agentsRepo(cfg);
const clipIndex = clipIndexRepo(cfg);

const view = (c: CameraItem) => ({
  cameraId: c.cameraId,
  source: c.source ?? null,
  name: c.name ?? null,
  enabled: c.enabled !== false,
  timezone: c.timezone ?? 'UTC',
  staleAfterSeconds: c.staleAfterSeconds ?? null,
  // Camera health (shared/clips/registry/health.ts): 'online' until a sweep has found it offline.
  health: (c as CameraItem & CameraHealthFields).health ?? 'online',
  healthSince: iso((c as CameraItem & CameraHealthFields).healthSince),
  healthReason: (c as CameraItem & CameraHealthFields).healthReason ?? null,
  owner: c.owner ?? null,
  leaseUntil: iso(c.leaseUntil),
  lastClipStartAt: iso(c.lastClipStartMs),
  lastClipAt: iso(c.lastClipAt),
  rulesUpdatedAt: iso(c.rulesUpdatedAt),
  detectorUpdatedAt: iso(c.detectorUpdatedAt),
  createdAt: iso(c.createdAt),
});


export const put = httpHandler(api.putCamera, async ({ path, body }) => {
  const cam = await registry.upsertCamera(path.cameraId, body, Date.now());
  return json(200, view(cam));
});

export const get = httpHandler(api.getCamera, async ({ path }) => {
  const cam = await registry.getCamera(path.cameraId);
  if (!cam) throw notFound(`camera ${path.cameraId} is not registered`);
  return json(200, { ...view(cam), rules: (cam.rules as { rules?: unknown } | undefined)?.rules ?? [] });
});

export const remove = httpHandler(api.deleteCamera, async ({ path }) => {
  if (!(await registry.deleteCamera(path.cameraId))) throw notFound(`camera ${path.cameraId} is not registered`);
  return { statusCode: 204 };
});

export const putRules = httpHandler(api.putRules, async ({ path, body }) => {
  const parsed = parseRuleSet(body);
  if (!parsed.ok) {
    const details = parsed.details.map((d) => ({ path: d.path ? `body.${d.path}` : 'body', message: d.message }));
    throw badRequest(`invalid rules: ${formatRuleSetErrors(parsed.details)}`, details);
  }
  const cam = await registry.upsertCamera(path.cameraId, { rules: parsed.value }, Date.now());
  return json(200, { cameraId: cam.cameraId, rules: parsed.value.rules, ...(parsed.value.filters ? { filters: parsed.value.filters } : {}), updatedAt: iso(cam.rulesUpdatedAt) });
});

export const getRules = httpHandler(api.getRules, async ({ path }) => {
  const cam = await registry.getCamera(path.cameraId);
  if (!cam) throw notFound(`camera ${path.cameraId} is not registered`);
  const stored = cam.rules as { rules?: unknown; filters?: unknown } | undefined;
  return json(200, { cameraId: cam.cameraId, rules: stored?.rules ?? [], ...(stored?.filters ? { filters: stored.filters } : {}), updatedAt: iso(cam.rulesUpdatedAt) });
});

/**
 * Detector settings (counting thresholds, size bounds, masks, count region) for this camera's photos and
 * clips. A camera without settings — registered or not; photo cameras usually are not — counts with the
 * model's defaults, shown as `defaults` for a bundled model. `model` is what the functions run (PERSON_MODEL).
 */
function detectorView(cameraId: string, cam: CameraItem | null) {
  const model = chosenModel().model;
  const bundled = (BUNDLED_MODELS as readonly string[]).includes(model);
  return {
    cameraId,
    settings: storedDetectorSettings(cam),
    model,
    ...(bundled ? { defaults: MODEL_DEFAULTS[model as BundledModel].count } : {}),
    updatedAt: iso(cam?.detectorUpdatedAt),
  };
}

export const putDetector = httpHandler(api.putDetector, async ({ path, body }) => {
  const cam = await registry.setDetector(path.cameraId, body, Date.now());
  return json(200, detectorView(path.cameraId, cam));
});

export const getDetector = httpHandler(api.getDetector, async ({ path }) => {
  return json(200, detectorView(path.cameraId, await registry.getCamera(path.cameraId)));
});

export const deleteDetector = httpHandler(api.deleteDetector, async ({ path }) => {
  return json(200, detectorView(path.cameraId, await registry.clearDetector(path.cameraId, Date.now())));
});

export const status = httpHandler(api.status, async () => {
  const now = Date.now();
  const [cameras, agents] = await Promise.all([registry.scanCameras(), agentsTable.scanAgents()]);
  const byId = new Map<string, AgentItem>(agents.map((a) => [a.agentId, a]));
  const items = cameras
    // The name too: the console's wall shows it.
    .map((c) => ({ ...cameraStatus(c, byId, now, 3 * cfg.CLIPS_CLIP_SECONDS * 1000), name: c.name ?? null }))
    .sort((a, b) => a.cameraId.localeCompare(b.cameraId));
  return json(200, { at: new Date(now).toISOString(), cameras: items });
});

export const clips = httpHandler(api.clips, async ({ path, query }) => {
  const to = query.to ?? Date.now() + 86_400_000;
  const from = query.from ?? to - 86_400_000;
  const items = await clipIndex.listClips(path.cameraId, from, to, query.limit);
  return json(200, {
    cameraId: path.cameraId,
    items: items.map((c) => ({
      // null for a clip known only from its results (no upload recorded under this index).
      key: c.key ?? null,
      startAt: iso(c.startMs),
      startMs: c.startMs,
      durationMs: c.durationMs ?? null,
      size: c.size,
      uploadedAt: iso(c.uploadedAt),
      uploads: c.uploads ?? 1,
      dispatchedAt: iso(c.dispatchedAt),
      inferredAt: iso(c.inferredAt),
      frames: c.frames ?? null,
      maxPersons: c.maxPersons ?? null,
      inferenceMs: c.inferenceMs ?? null,
      model: c.model ?? null,
      licence: c.licence ?? null,
      trackedAt: iso(c.trackedAt),
      tracks: c.tracks ?? [],
      incidents: c.incidents ?? 0,
      processedFrames: c.processedFrames ?? null,
      ignoredAt: iso(c.ignoredAt),
      error: c.error ?? null,
    })),
  });
});
