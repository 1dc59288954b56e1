import { Client } from 'pg';

/** Every table of the schema that a request can write to. */
export const TABLES = [
  'organisations',
  'api_keys',
  'sites',
  'rooms',
  'site_closures',
  'appointment_types',
  'advisers',
  'adviser_appointment_types',
  'diary_patterns',
  'diary_exceptions',
  'sessions',
  'holds',
  'customers',
  'bookings',
  'idempotency_keys',
] as const;
export type Table = (typeof TABLES)[number];

/**
 * A direct connection to a test app's database, for asserting what a request did (or did
 * not) write. Read-only by convention: tests observe through it, they never change data.
 */
export class DbState {
  private constructor(readonly client: Client) {}

  static async connect(url: string): Promise<DbState> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new DbState(client);
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  async count(table: Table, where = 'true', params: unknown[] = []): Promise<number> {
    const [row] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return row.n;
  }

  async counts(): Promise<Record<Table, number>> {
    const entries = await Promise.all(TABLES.map(async (t) => [t, await this.count(t)] as const));
    return Object.fromEntries(entries) as Record<Table, number>;
  }

  /**
   * One hash per table over every column of every row: equal fingerprints before and
   * after a request mean it inserted, updated and deleted nothing.
   */
  async fingerprint(): Promise<Record<Table, string>> {
    const parts = TABLES.map((t) => `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h FROM ${t} x`);
    const rows = await this.query<{ t: Table; h: string }>(parts.join(' UNION ALL '));
    return Object.fromEntries(rows.map((r) => [r.t, r.h])) as Record<Table, string>;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
