import ipaddr from 'ipaddr.js';

/**
 * Outbound allow-lists for fetching URLs that callers give us (SSRF defence).
 *
 * Spec: entries separated by commas or whitespace:
 * - `*`                any host whose address is public unicast (no private, loopback, CGNAT ...);
 * - `files.example.com` / `*.example.com`   that host name (or its subdomains), public addresses only;
 * - `10.1.0.0/16`, `127.0.0.1`, `::1`       any host that resolves into that network (explicit trust).
 * Link-local and cloud metadata addresses are refused whatever the list says.
 */
export type AllowRule =
  | { kind: 'any' }
  | { kind: 'host'; host: string }
  | { kind: 'suffix'; suffix: string }
  | { kind: 'cidr'; network: [ipaddr.IPv4 | ipaddr.IPv6, number]; text: string };

export interface AllowList {
  rules: AllowRule[];
  spec: string;
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Never reachable, even when an entry covers them: instance metadata and link-local. */
const ALWAYS_DENIED: Array<[Addr, number]> = [
  '169.254.0.0/16', // link-local, AWS/GCP/Azure metadata (169.254.169.254)
  'fe80::/10', // IPv6 link-local
  'fd00:ec2::254/128', // AWS metadata over IPv6
  '100.100.100.200/32', // Alibaba Cloud metadata
  '0.0.0.0/8', // "this host": connecting to 0.0.0.0 reaches loopback on Linux
  '::/128',
].map((c) => ipaddr.parseCIDR(c));

const HOST_RE = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

export class AllowListError extends Error {
  override name = 'AllowListError';
}

export function parseAllowList(spec: string | readonly string[]): AllowList {
  const entries = (typeof spec === 'string' ? spec.split(/[,\s]+/) : [...spec]).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const rules: AllowRule[] = entries.map((e) => {
    if (e === '*') return { kind: 'any' };
    if (e.startsWith('*.')) {
      const suffix = e.slice(2);
      if (!HOST_RE.test(suffix)) throw new AllowListError(`allow-list: bad wildcard host ${e}`);
      return { kind: 'suffix', suffix };
    }
    const bare = e.replace(/^\[|\]$/g, '');
    if (bare.includes('/')) {
      try {
        return { kind: 'cidr', network: ipaddr.parseCIDR(bare), text: e };
      } catch {
        throw new AllowListError(`allow-list: bad CIDR ${e}`);
      }
    }
    if (ipaddr.isValid(bare)) {
      const a = ipaddr.process(bare);
      return { kind: 'cidr', network: [a, a.kind() === 'ipv4' ? 32 : 128], text: e };
    }
    if (!HOST_RE.test(e)) throw new AllowListError(`allow-list: bad entry ${e}`);
    return { kind: 'host', host: e };
  });
  return { rules, spec: entries.join(',') };
}

/** Parses an address, unwrapping IPv4-mapped IPv6 (::ffff:a.b.c.d) so v4 rules apply to it. */
export function parseAddress(address: string): Addr | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

const inRange = (a: Addr, [net, bits]: [Addr, number]) => a.kind() === net.kind() && a.match(net, bits);

function hostMatches(rule: AllowRule, host: string): boolean {
  if (rule.kind === 'any') return true;
  if (rule.kind === 'host') return host === rule.host;
  if (rule.kind === 'suffix') return host.endsWith(`.${rule.suffix}`);
  return false;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * May we connect to `address` for a URL naming `host`? Called with the address we are about to
 * connect to (after our own DNS resolution), so a name cannot re-resolve to something else later.
 */
export function checkAddress(list: AllowList, host: string, address: string): Verdict {
  const a = parseAddress(address);
  if (!a) return { ok: false, reason: `not an IP address: ${address}` };
  const shown = a.toString();
  if (ALWAYS_DENIED.some((r) => inRange(a, r))) return { ok: false, reason: `${shown} is a link-local or metadata address (always refused)` };
  if (a.range() === 'multicast' || a.range() === 'broadcast') return { ok: false, reason: `${shown} is not a unicast address` };
  for (const r of list.rules) if (r.kind === 'cidr' && inRange(a, r.network)) return { ok: true };
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (list.rules.some((r) => hostMatches(r, name))) {
    if (a.range() === 'unicast') return { ok: true };
    return { ok: false, reason: `${name} resolves to ${shown} (${a.range()}), which no CIDR entry allows` };
  }
  return { ok: false, reason: `${name} (${shown}) is not in the allow-list` };
}
