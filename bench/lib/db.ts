import { Client } from 'pg';

/** The PostgreSQL server; only loopback is used. Override with BENCH_PG_URL. */
export const SERVER_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The national dataset; tests use careers_booking_test_* and careers_booking_tpl_*, so this never collides. */
export const DATASET_DB = 'careers_booking_bench';

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const admin = <T>(fn: (client: Client) => Promise<T>) => withClient(SERVER_URL, fn);

export async function recreateDatabase(name: string, template?: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export async function serverVersion(): Promise<string> {
  return admin(async (c) => (await c.query('SELECT version() AS v')).rows[0].v as string);
}
