import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200),
  REDIS_URL: url(['redis:', 'rediss:']),
  QUEUE_BACKEND: z.enum(['redis', 'postgres']),
  PORT: z.coerce.number().int().min(0).max(65535),
  ADMIN_API_KEY: z.string({ error: 'is required: a secret of at least 24 characters for the bootstrap administrator' }).min(24, 'must be at least 24 characters (it guards every admin endpoint)'),
  PUBLIC_BASE_URL: url(['http:', 'https:']),
  HOLD_MINUTES: z.coerce.number().int().min(1).max(60),
  DEFAULT_TIMEZONE: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/London'),
  MAX_SEARCH_DAYS: z.coerce.number().int().min(1).max(366),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']),
});

export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {}

// Defaults live in config/defaults.json (two levels above dist/common/config and
// src/common/config alike); the environment overrides them.
export function loadDefaults(): Record<string, string> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'config', 'defaults.json'), 'utf8'));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const merged = { ...loadDefaults(), ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };
  const result = schema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration (set these environment variables):\n${lines.join('\n')}`);
  }
  return result.data;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
