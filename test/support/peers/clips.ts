import type { Peer } from '../global-stack.js';
import { startReceiver } from './receiver.js';

/**
 * The alarm webhook of the clips pipeline: a recording receiver of its own. CLIPS_ALARM_WEBHOOK_URL routes
 * per camera (`/alarms/{cameraId}`), so each test camera has its own path to count and to make fail
 * (POST /_control { path: '/alarms/<camera>', failFirst }).
 */
export async function start(): Promise<Peer> {
  const r = await startReceiver();
  return {
    env: { CLIPS_ALARM_WEBHOOK_URL: `${r.url}/alarms/{cameraId}` },
    urls: { alarmsWebhook: r.url },
    stop: r.stop,
  };
}
