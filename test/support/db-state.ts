import { Client } from 'pg';
import { connect } from './database';

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
  'reminder_policies',
  'message_templates',
  'reminders',
  'messages',
  'booking_events',
  'attendance_policies',
  'attendance_records',
  'show_models',
  'overbooking_policies',
  'overbooking_policy_changes',
  'inbound_messages',
  'follow_ups',
  'waitlist_entries',
  'waitlist_offers',
  'waitlist_offer_texts',
  'staff',
  'staff_sign_in_failures',
  'staff_sessions',
  'rate_limits',
  'webhook_endpoints',
  'webhook_events',
  'webhook_deliveries',
  'webhook_attempts',
  'booking_links',
] as const;
export type Table = (typeof TABLES)[number];

// What a fingerprint reads of a table, where not every column: the outbox relay marks
// reminders relayed in the background, which is no change a request made; nor is a key's
// lastUsedAt, written by whatever request presents it, refused or not.
const ROWS: Partial<Record<Table, string>> = {
  api_keys: '(SELECT id, organisation_id, key_hash, scopes, site_ids, created_at, expires_at, revoked_at FROM api_keys)',
  reminders: '(SELECT id, booking_id, version, step, send_at, status, reason, round, created_at FROM reminders)',
  // Likewise the webhook dispatcher's progress: deliveries queued and settled, endpoints failing or disabled.
  webhook_deliveries: '(SELECT id, event_id, endpoint_id, booking_id, seq, round, created_at FROM webhook_deliveries)',
  webhook_endpoints: '(SELECT id, organisation_id, url, events, secret, previous_secret, previous_secret_until, created_at FROM webhook_endpoints)',
};

/**
 * A direct connection to a test database, opened on first use. Tests observe through it
 * what a request did (or did not) write; they change data through it only for what the
 * API cannot do (expireHold) or to test the schema's own constraints.
 */
export class DbState {
  private client?: Promise<Client>;

  constructor(readonly url: string) {}

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.client ??= connect(this.url);
    return (await (await this.client).query(sql, params)).rows as T[];
  }

  async count(table: Table, where = 'true', params: unknown[] = []): Promise<number> {
    const [row] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return row.n;
  }

  /** In one statement: one client runs one query at a time (pg warns on, and pg@9 refuses, overlapping ones). */
  async counts(): Promise<Record<Table, number>> {
    const rows = await this.query<{ t: Table; n: number }>(TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t}`).join(' UNION ALL '));
    return Object.fromEntries(rows.map((r) => [r.t, r.n])) as Record<Table, number>;
  }

  /**
   * One hash per table over every column of every row: equal fingerprints before and
   * after a request mean it inserted, updated and deleted nothing.
   */
  async fingerprint(): Promise<Record<Table, string>> {
    const parts = TABLES.map((t) => `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS h FROM ${ROWS[t] ?? t} x`);
    const rows = await this.query<{ t: Table; h: string }>(parts.join(' UNION ALL '));
    return Object.fromEntries(rows.map((r) => [r.t, r.h])) as Record<Table, string>;
  }

  /** Makes a hold lapse, as if its minutes had run out: at any instant after it was made (on the app's clock, not the database's). */
  async expireHold(holdId: string): Promise<void> {
    const updated = await this.query(`UPDATE holds SET expires_at = created_at WHERE id = $1 RETURNING id`, [holdId]);
    if (updated.length !== 1) throw new Error(`No hold ${holdId} to expire`);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await (await client).end();
  }
}
