import { Client } from 'pg';

/** The PostgreSQL server; only loopback is used. Override with BENCH_PG_URL. */
export const SERVER_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The national dataset; tests use careers_booking_test_* and careers_booking_tpl_*, so this never collides.
 * BENCH_DATASET_DB keeps a second dataset beside it (another history size, or an older commit's schema).
 */
export const DATASET_DB = process.env.BENCH_DATASET_DB ?? 'careers_booking_bench';

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

/**
 * Deletes the rows of `table` that `where` selects, after the rows that reference them
 * through foreign keys without an ON DELETE action, found in the catalogue and deleted
 * depth first (bookings <- reminders <- messages, booking_events, attendance_records...),
 * so that a clean-up keeps working as features add tables that point at bookings.
 * Keys with ON DELETE SET NULL / CASCADE are left to PostgreSQL. Returns rows deleted per table.
 * Meant to run inside a transaction (the row locks it takes are held to its end).
 */
export async function deleteWithDependents(
  client: Client,
  table: string,
  where: string,
  params: unknown[],
  deleted: Record<string, number> = {},
  depth = 0,
): Promise<Record<string, number>> {
  if (depth > 8) throw new Error(`deleteWithDependents: foreign keys nest deeper than 8 below ${table}`);
  // Parents are locked before their children, the order the application takes them in (the
  // booking, then its reminder, then the message), so a worker busy with the same booking
  // waits for us instead of deadlocking with us.
  await client.query(`SELECT FROM ${table} WHERE ${where} FOR UPDATE`, params);
  const { rows } = await client.query(
    `SELECT c.conrelid::regclass::text AS child,
            (SELECT string_agg(quote_ident(attname), ',' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS fk,
            (SELECT string_agg(quote_ident(attname), ',' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS pk
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.confrelid = $1::regclass AND c.confdeltype IN ('a', 'r') AND c.conrelid <> c.confrelid`,
    [table],
  );
  for (const { child, fk, pk } of rows as { child: string; fk: string; pk: string }[]) {
    await deleteWithDependents(client, child, `(${fk}) IN (SELECT ${pk} FROM ${table} WHERE ${where})`, params, deleted, depth + 1);
  }
  const res = await client.query(`DELETE FROM ${table} WHERE ${where}`, params);
  deleted[table] = (deleted[table] ?? 0) + (res.rowCount ?? 0);
  return deleted;
}
