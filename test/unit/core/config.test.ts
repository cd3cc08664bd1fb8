import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConfigError, loadConfig } from '../../../shared/platform/config.js';

describe('loadConfig', () => {
  it('returns typed values', () => {
    const c = loadConfig({ PORT: z.coerce.number().int(), NAME: z.string().min(1) }, { PORT: '80', NAME: 'x' });
    expect(c).toEqual({ PORT: 80, NAME: 'x' });
  });
  it('names every missing or bad variable', () => {
    try {
      loadConfig({ PORT: z.coerce.number().int(), NAME: z.string().min(1) }, { PORT: 'abc' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/PORT/);
      expect((err as ConfigError).message).toMatch(/NAME/);
    }
  });
});
