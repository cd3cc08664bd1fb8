/**
 * Incidents of a clip → alarms: create-once (conditional put on the incident's id) and, for a new
 * alarm, the replay task on the alarms queue, delayed until the clips after it have probably landed.
 */
import { logger } from '../platform/logger.js';
import { send } from '../platform/sqs/queues.js';
import type { Rule, RuleSet } from '../rules/schema.js';
import { alarmIdFor, firstReplayDelaySeconds, type ReplaySettings } from './alarms/records.js';
import type { AlarmsRepo } from './alarms/store.js';
import type { Incident } from './analyse.js';

export async function recordIncidents(
  cameraId: string,
  incidents: readonly Incident[],
  ruleSet: RuleSet,
  o: { alarms: AlarmsRepo; alarmsQueue: string; replay: ReplaySettings; now: number },
): Promise<{ created: number; updated: number }> {
  const rules = new Map<string, Rule>(ruleSet.rules.map((r) => [r.id, r]));
  let created = 0;
  for (const inc of incidents) {
    const alarmId = alarmIdFor(cameraId, inc.incidentKey, inc.startedAt);
    const name = rules.get(inc.ruleId)?.name;
    const r = await o.alarms.upsertIncident({
      alarmId,
      cameraId,
      incidentKey: inc.incidentKey,
      ruleId: inc.ruleId,
      ruleType: inc.type,
      ...(name ? { ruleName: name } : {}),
      startedAt: inc.startedAt,
      endedAt: inc.endedAt,
      trackIds: inc.trackIds,
      ...(inc.members ? { members: inc.members } : {}),
      createdAt: o.now,
      expiresAt: o.alarms.expiresAt(o.now),
    });
    if (r.created) created++;
    // Also covers a crash between the put and the send on an earlier attempt.
    if (r.alarm.queuedAt === undefined) {
      const delaySeconds = firstReplayDelaySeconds(inc.startedAt, o.now, o.replay);
      await send(o.alarmsQueue, { body: { alarmId }, ...(delaySeconds > 0 ? { delaySeconds } : {}) });
      await o.alarms.updateAlarm(alarmId, { queuedAt: o.now });
      logger.info('alarm raised', { alarmId, cameraId, incidentKey: inc.incidentKey, startedAt: inc.startedAt, delaySeconds });
    }
  }
  return { created, updated: incidents.length - created };
}
