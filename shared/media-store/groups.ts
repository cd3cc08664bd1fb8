/** Storage groups (the seed's t_group_info) from configuration, and the choice of a user's group. Pure. */
export type GroupStatus = 'active' | 'readonly';

export interface GroupConfig {
  name: string;
  bucket: string;
}

export interface Group extends GroupConfig {
  status: GroupStatus;
  files: number;
  bytes: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `"g1 bucket-one, g2 bucket-two"` → groups; throws naming the bad entry. */
export function parseGroups(text: string): GroupConfig[] {
  const out: GroupConfig[] = [];
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, bucket, ...rest] = entry.split(/\s+/);
    if (!name || !bucket || rest.length || !NAME.test(name) || !BUCKET.test(bucket)) {
      throw new Error(`media group "${entry}" must be "<name> <bucket>"`);
    }
    if (out.some((g) => g.name === name)) throw new Error(`media group ${name} is listed twice`);
    out.push({ name, bucket });
  }
  if (!out.length) throw new Error('no media group configured');
  return out;
}

/** A new user's group: uniformly at random among the active ones. */
export function pickGroup<G extends { status: GroupStatus; name: string }>(groups: G[], random: () => number = Math.random): G | undefined {
  const active = groups.filter((g) => g.status === 'active').sort((a, b) => a.name.localeCompare(b.name));
  if (!active.length) return undefined;
  return active[Math.min(active.length - 1, Math.floor(random() * active.length))];
}
