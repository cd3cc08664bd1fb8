import { inject } from 'vitest';

/**
 * A resource's name on the test stack, by its key in serverless.yml `custom.names` (e.g.
 * `resource('ftpMedia')` → `panoptes-local-ftp-media`): tests spell no resource name themselves.
 * Provided by the integration and e2e global setups, which resolve serverless.yml.
 */
export function resource(key: string): string {
  const name = inject('names')[key];
  if (!name) throw new Error(`serverless.yml custom.names has no ${key}`);
  return name;
}

/** The bucket of a media store storage group (serverless.yml `custom.mediaGroups`), e.g. `mediaGroupBucket('g1')`. */
export const mediaGroupBucket = (group: string): string => resource(`mediaGroup.${group}`);
