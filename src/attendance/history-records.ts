import { ImportRow } from './domain/history-import';
import { SyntheticAppointment } from './domain/synthetic-history';

/** A past appointment for attendance_records: an imported row, with what only some sources know. */
export interface HistoryRecord extends ImportRow {
  referrerName?: string | null;
  messageVariant?: string | null;
  reminder?: 'pending' | 'delivered' | 'failed' | null;
}

/** Runs one statement and answers its rows, whatever the client (a TypeORM manager or pg). */
export type Query = (sql: string, params: unknown[]) => Promise<unknown[]>;

const CHUNK = 5_000;

// Local weekday, hour, date and lead time are worked out in the site's own zone, as for live bookings.
const INSERT_HISTORY = `
  INSERT INTO attendance_records (id, legacy_id, site_id, adviser_id, appointment_type_id, customer_reference, referral_source, referrer_name, mandatory,
                                  message_variant, reminder_state, arranged_at, starts_at, local_date, weekday, hour, lead_days, outcome)
  SELECT gen_random_uuid(), x.legacy_id, x.site_id, x.adviser_id, t.id, x.customer_reference, x.referral_source, x.referrer_name, x.mandatory,
         x.message_variant, x.reminder_state, x.booked_at, x.starts_at, l.start_local::date, extract(isodow FROM l.start_local), extract(hour FROM l.start_local),
         greatest(0, l.start_local::date - (x.booked_at AT TIME ZONE s.timezone)::date), x.outcome
    FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::text[],
                $11::timestamptz[], $12::timestamptz[], $13::text[])
           AS x(legacy_id, site_id, adviser_id, type_code, customer_reference, referral_source, referrer_name, mandatory, message_variant, reminder_state,
                booked_at, starts_at, outcome)
    JOIN sites s ON s.id = x.site_id
    JOIN appointment_types t ON t.code = x.type_code
   CROSS JOIN LATERAL (SELECT x.starts_at AT TIME ZONE s.timezone AS start_local) l
  ON CONFLICT (legacy_id) DO NOTHING
  RETURNING legacy_id`;

/**
 * Stores past appointments as history (never as bookings: they occupy no slot), in chunks;
 * a legacy id stored before is left as it was. Returns how many were new.
 */
export async function insertHistory(query: Query, records: readonly HistoryRecord[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < records.length; i += CHUNK) {
    const chunk = records.slice(i, i + CHUNK);
    const column = <K extends keyof HistoryRecord>(key: K) => chunk.map((r) => r[key] ?? null);
    const rows = await query(INSERT_HISTORY, [
      column('legacyId'),
      column('siteId'),
      column('adviserId'),
      column('appointmentType'),
      column('customerReference'),
      column('referralSource'),
      column('referrerName'),
      column('mandatory'),
      column('messageVariant'),
      column('reminder'),
      chunk.map((r) => new Date(r.bookedAt)),
      chunk.map((r) => new Date(r.start)),
      column('outcome'),
    ]);
    inserted += rows.length;
  }
  return inserted;
}

/** A generated appointment as history, with the reminder and wording it was given. */
export const syntheticRecord = (row: SyntheticAppointment): HistoryRecord => ({
  ...row,
  referrerName: row.referrerName || null,
  messageVariant: row.reminderVariant,
  reminder: row.reminder,
});
