import { unauthorized } from '../errors.js';

/**
 * API keys from configuration: `API_KEYS="key1,key2=appA"`. A key bound to an app (`=appA`)
 * sees only that app's data; an unbound key is an operator key. Read once per container.
 */
export interface Caller {
  key: string;
  appId?: string;
}

let keys: Map<string, Caller> | undefined;

function loadKeys(): Map<string, Caller> {
  const map = new Map<string, Caller>();
  for (const part of (process.env.API_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, appId] = part.split('=');
    if (key) map.set(key, appId ? { key, appId } : { key });
  }
  return map;
}

export function authenticate(headerValue: string | undefined): Caller {
  keys ??= loadKeys();
  const caller = headerValue ? keys.get(headerValue) : undefined;
  if (!caller) throw unauthorized();
  return caller;
}

/** For tests that change API_KEYS between cases. */
export function resetKeys(): void {
  keys = undefined;
}
