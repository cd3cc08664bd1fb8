import * as z from 'zod';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseBandwidth } from './bandwidth.js';
import { offsetMinutes } from './layout.js';

/**
 * FTP sources, configured by name in FTP_SERVERS (JSON object name → settings). Passwords never sit
 * in FTP_SERVERS:
 * - `env` (local stage default): FTP_PASSWORD_<NAME> (name upper-cased, other chars → `_`), else the
 *   FTP_PASSWORDS JSON map { name: password } (the local stack forwards passwords that way because
 *   serverless-offline only passes declared variables to functions);
 * - `ssm` (other stages' default): SecureString parameter `/{FTP_SECRETS_PREFIX}/{name}`;
 * - `secretsmanager`: secret `{FTP_SECRETS_PREFIX}/{name}`, read through SSM's
 *   `/aws/reference/secretsmanager/` bridge (one client, one IAM statement per source).
 */
export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

const tlsSchema = z.object({
  /** PEM of the CA (or of the self-signed certificate itself) to trust instead of the system CAs. */
  ca: z.string().min(1).optional(),
  /** SHA-256 fingerprint to pin (`AB:CD:...`, as openssl prints it); checked before login. */
  fingerprint256: z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'fingerprint256 must be 32 colon-separated hex bytes').optional(),
  /** Name to verify the certificate against when it differs from host. */
  servername: z.string().min(1).optional(),
}).strict();

export const serverSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(21),
  user: z.string().min(1).default('anonymous'),
  /** The directory (as the FTP client sees it after login) that holds `ftpdata/`. */
  root: z.string().startsWith('/').default('/'),
  /** basic-ftp only does passive mode (EPSV/PASV); active mode is refused at configuration time. */
  passive: z.literal(true, { message: 'only passive mode is supported' }).default(true),
  /** 'explicit' = AUTH TLS on the control port (FTPS); 'implicit' = TLS from the first byte (legacy, port 990). */
  secure: z.enum(['none', 'explicit', 'implicit']).default('none'),
  tls: tlsSchema.optional(),
  /** Connections this process may open to the server (servers refuse many per IP). */
  maxConnections: z.number().int().min(1).max(64).default(4),
  /** Time zone of the cameras' directory names and of the server's listings. */
  utcOffset: z.string().default('Z').refine((s) => { try { offsetMinutes(s); return true; } catch { return false; } }, 'utcOffset must be ±HH:MM or Z'),
  /** Base of the URLs readers get while a file is on FTP (default ftp://host:port). */
  publicUrl: z.string().url().optional(),
  /** List this server on schedule (for servers that cannot notify). */
  scan: z.boolean().default(false),
  passwordSource: z.enum(['env', 'ssm', 'secretsmanager']).optional(),
  timeoutMs: z.number().int().min(1000).max(300_000).default(20_000),
  /** Download bandwidth limit, one rate or a timetable in utcOffset: "512k", "08:00,512k 19:00,off" (bandwidth.ts). */
  bandwidth: z.string().optional().superRefine((v, ctx) => {
    if (v === undefined) return;
    try {
      parseBandwidth(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
}).strict();

export type ServerConfig = z.infer<typeof serverSchema> & { name: string };
export type Servers = Map<string, ServerConfig>;

export function parseServers(json: string | undefined): Servers {
  const out: Servers = new Map();
  if (!json || !json.trim()) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('FTP_SERVERS is not valid JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('FTP_SERVERS must be a JSON object: { "name": { host, port, user, root, ... } }');
  for (const [name, def] of Object.entries(raw)) {
    if (!SERVER_NAME.test(name)) throw new Error(`FTP_SERVERS: bad server name ${JSON.stringify(name)}`);
    const r = serverSchema.safeParse(def);
    if (!r.success) throw new Error(`FTP_SERVERS.${name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (r.data.secure === 'none' && r.data.tls) throw new Error(`FTP_SERVERS.${name}: tls settings given but secure is 'none'`);
    out.set(name, { ...r.data, name });
  }
  return out;
}

export const publicBase = (s: ServerConfig) => s.publicUrl ?? `${s.secure === 'none' ? 'ftp' : 'ftps'}://${s.host}:${s.port}`;

export const passwordEnvName = (server: string) => `FTP_PASSWORD_${server.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export interface SecretsOptions {
  env?: NodeJS.ProcessEnv;
  stage?: string;
  /** Prefix of parameter / secret names (default `${SERVICE}-${STAGE}-ftp`). */
  prefix?: string;
  ssm?: () => SSMClient;
  ttlMs?: number;
  now?: () => number;
}

let ssmClient: SSMClient | undefined;
const defaultSsm = () => (ssmClient ??= new SSMClient({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1' }));

/** Resolves passwords per server; cached a few minutes so rotated secrets are picked up. */
export class Passwords {
  private readonly cache = new Map<string, { value: string; at: number }>();
  constructor(private readonly o: SecretsOptions = {}) {}

  private get env() {
    return this.o.env ?? process.env;
  }

  sourceOf(s: ServerConfig): 'env' | 'ssm' | 'secretsmanager' {
    return s.passwordSource ?? ((this.o.stage ?? this.env.STAGE ?? 'local') === 'local' ? 'env' : 'ssm');
  }

  async get(s: ServerConfig): Promise<string> {
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(s.name);
    if (hit && now - hit.at < (this.o.ttlMs ?? 300_000)) return hit.value;
    const value = await this.load(s);
    this.cache.set(s.name, { value, at: now });
    return value;
  }

  /** After a login failure: the secret may have been rotated. */
  forget(server: string): void {
    this.cache.delete(server);
  }

  private async load(s: ServerConfig): Promise<string> {
    const source = this.sourceOf(s);
    if (source === 'env') {
      const direct = this.env[passwordEnvName(s.name)];
      if (direct !== undefined) return direct;
      const map = this.env.FTP_PASSWORDS ? (JSON.parse(this.env.FTP_PASSWORDS) as Record<string, string>) : {};
      if (map[s.name] !== undefined) return map[s.name]!;
      if (s.user === 'anonymous') return 'anonymous@';
      throw new Error(`no password for FTP server ${s.name}: set ${passwordEnvName(s.name)}`);
    }
    const prefix = this.o.prefix ?? this.env.FTP_SECRETS_PREFIX ?? `${this.env.SERVICE ?? 'panoptes'}-${this.env.STAGE ?? 'local'}-ftp`;
    const Name = source === 'ssm' ? `/${prefix}/${s.name}` : `/aws/reference/secretsmanager/${prefix}/${s.name}`;
    const r = await (this.o.ssm ?? defaultSsm)().send(new GetParameterCommand({ Name, WithDecryption: true }));
    const v = r.Parameter?.Value;
    if (v === undefined) throw new Error(`password parameter ${Name} is empty`);
    return v;
  }
}
