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

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

const schema = z
  .object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200),
  // How long a request waits for a database connection (a new one, or a turn in the pool)
  // before answering 503: a PostgreSQL that drops packets would otherwise hold it for minutes.
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000),
  REDIS_URL: url(['redis:', 'rediss:']),
  QUEUE_BACKEND: z.enum(['redis', 'postgres']),
  // Redis key prefix of every queue, so that several deployments (or test runs) can share one Redis.
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only'),
  PORT: z.coerce.number().int().min(0).max(65535),
  // HTTP processes sharing PORT (Node cluster: a primary forks them and replaces any that dies); 1 is a single process.
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64),
  ADMIN_API_KEY: z.string({ error: 'is required: a secret of at least 24 characters for the bootstrap administrator' }).min(24, 'must be at least 24 characters (it guards every admin endpoint)'),
  PUBLIC_BASE_URL: url(['http:', 'https:']),
  // Each organisation API key's token bucket, unless its organisation has limits of its own:
  // this many requests at once, refilled at this many a minute.
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(100_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000),
  HOLD_MINUTES: z.coerce.number().int().min(1).max(60),
  DEFAULT_TIMEZONE: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/London'),
  MAX_SEARCH_DAYS: z.coerce.number().int().min(1).max(366),
  // A site is near another in the same area or within this many kilometres (a slot search's nearSiteId).
  NEAR_KM: z.coerce.number().min(0).max(500),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']),
  // Shifts the service's clock (tests, training environments); 0 in production.
  CLOCK_OFFSET_MS: z.coerce.number().int().min(-(10 ** 12)).max(10 ** 12),
  // Reminders. With no Twilio credentials SMS go to the log; with no SMTP_URL, email too.
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC followed by 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM: z.string().min(3).optional(),
  // Only for a stand-in of the Twilio REST API (tests, benchmarks); unset means Twilio itself.
  TWILIO_API_URL: url(['http:', 'https:']).optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3),
  // Whether this process sends reminders (the API does unless told not to; `node dist/worker.js` always does).
  RUN_WORKER: flag,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500),
  // Provider calls (SMS and email) under way at once per process, whatever WORKER_CONCURRENCY:
  // the worker takes more jobs than it sends at once, so that its batches are larger.
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(500),
  // How long a job stays claimed without a heartbeat before another worker may take it over (a worker that died).
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000),
  REMINDER_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  REMINDER_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000),
  RELAY_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000),
  // Outbound webhooks: how long a receiver gets to answer, and a factor on the retry schedule
  // (1 in production; tests shrink the 3-day schedule to seconds).
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000),
  WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(1),
  // Lets webhooks go to loopback addresses over plain http: only for tests, whose receivers
  // listen on 127.0.0.1. Off, endpoints must be https and resolve to public addresses only.
  WEBHOOKS_ALLOW_LOOPBACK: flag,
  // Behind a gateway every request comes from the gateway's address; per-IP limits (the customer
  // link page) would then put every customer in one bucket. Express's 'trust proxy': false, a
  // number of hops, or addresses and subnets (e.g. "loopback, 10.0.0.0/8").
  TRUST_PROXY: z
    .string()
    .regex(/^(false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, 'must be false, a number of proxies, or addresses and subnets separated by commas')
    .transform((value) => (value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value)),
  MESSAGE_VARIANTS: z
    .string()
    .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'each variant is lower-case letters, digits and _')).min(1)),
})
  .refine((c) => [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM].every((v) => v === undefined) || [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM].every((v) => v !== undefined), {
    message: 'set all three of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM, or none',
    path: ['TWILIO_ACCOUNT_SID'],
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
