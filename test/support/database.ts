import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { CLOCK_OFFSET_MS } from './clock';

/** The server the tests run against; each test file gets a database of its own on it. */
export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The bootstrap admin's key in every test configuration. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A pg client on `url`, connected: the one way the tests open a direct connection. */
export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Runs `fn` on a connection to the server's maintenance database, to create and drop databases. */
export async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(SERVER_URL);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database cloned from the template that global setup prepared. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) throw new Error('TEST_TEMPLATE_DB is not set: run the database tiers through jest (see jest.config.js)');
  const name = `careers_booking_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Removes every Redis key under a queue prefix. */
export async function dropQueueKeys(prefix: string, redisUrl: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * The application's configuration on a fresh test database of its own, with queues under a
 * Redis prefix of their own, so test files running side by side never take each other's
 * jobs. The reminder worker is off unless `env` turns it on. Webhooks may go to loopback
 * receivers over http (never so outside tests). The clock is the tests' (see clock.ts).
 * `drop` removes both.
 */
export async function createTestConfig(env: Record<string, string> = {}): Promise<{ config: AppConfig; drop: () => Promise<void> }> {
  const db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_KEY: ADMIN_KEY, PORT: '0', LOG_LEVEL: 'error', QUEUE_PREFIX: db.name, RUN_WORKER: 'false', WEBHOOKS_ALLOW_LOOPBACK: 'true', CLOCK_OFFSET_MS: String(CLOCK_OFFSET_MS), ...env });
  return {
    config,
    drop: async () => {
      await db.drop();
      if (config.QUEUE_BACKEND === 'redis') await dropQueueKeys(config.QUEUE_PREFIX, config.REDIS_URL);
    },
  };
}

/** The application's configuration as environment variables, for a child process. */
export function asEnv(config: AppConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) if (value !== undefined) env[name] = Array.isArray(value) ? value.join(',') : String(value);
  return env;
}
