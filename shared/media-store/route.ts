import { unavailable } from '../platform/errors.js';
import { pickGroup, type Group } from './groups.js';
import type { MediaDeps } from './deps.js';

/**
 * The user's group (the seed's router). A new user gets a random active group; concurrent first
 * uploads agree on one. It never changes afterwards.
 */
export async function routeOf(d: Pick<MediaDeps, 'groups' | 'routes' | 'random'>, appId: string, userId: string): Promise<Group> {
  let name = await d.routes.get(appId, userId);
  if (!name) {
    const chosen = pickGroup(await d.groups.list(), d.random);
    if (!chosen) throw unavailable('no storage group accepts new users (all are read-only)', 'NoActiveGroup');
    name = await d.routes.claim(appId, userId, chosen.name);
  }
  const group = await d.groups.get(name);
  if (!group) throw new Error(`user ${appId}/${userId} is routed to unknown group ${name}`);
  return group;
}
