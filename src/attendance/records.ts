import { EntityManager } from 'typeorm';
import { runPrepared } from '../common/database/prepared';
import { ShowSignals } from './domain/show-signals';

// One statement keeps a booking's row of attendance_records in step with the booking: its
// dimensions in the site's zone (weekday, hour, local date, lead time from when the present
// time was agreed), its cancellation and its outcome. It answers with what the show model
// needs, the customer's record as it stood when the time was agreed and the hours from then
// to the start (which tell a reminder still to come from none due) included, so that scoring
// costs no statement of its own.
const REFRESH_RECORD = `
  INSERT INTO attendance_records AS r (id, booking_id, site_id, adviser_id, appointment_type_id, organisation_id, customer_reference, referral_source, referrer_name,
                                       mandatory, message_variant, reminder_state, arranged_at, starts_at, local_date, weekday, hour, lead_days, cancelled, outcome)
  SELECT b.id, b.id, b.site_id, b.adviser_id, b.appointment_type_id, b.organisation_id, c.reference, b.referral_source, b.referrer_name,
         b.referral_mandatory, b.message_variant, b.reminder_state, b.arranged_at, b.starts_at, l.start_local::date,
         extract(isodow FROM l.start_local), extract(hour FROM l.start_local),
         greatest(0, l.start_local::date - (b.arranged_at AT TIME ZONE s.timezone)::date), b.status = 'cancelled', b.outcome
    FROM bookings b
    JOIN customers c ON c.id = b.customer_id
    JOIN sites s ON s.id = b.site_id
   CROSS JOIN LATERAL (SELECT b.starts_at AT TIME ZONE s.timezone AS start_local) l
   WHERE b.id = $1
  ON CONFLICT (booking_id) DO UPDATE SET
    site_id = excluded.site_id, adviser_id = excluded.adviser_id, appointment_type_id = excluded.appointment_type_id, organisation_id = excluded.organisation_id,
    customer_reference = excluded.customer_reference, referral_source = excluded.referral_source, referrer_name = excluded.referrer_name,
    mandatory = excluded.mandatory, message_variant = excluded.message_variant, reminder_state = excluded.reminder_state, arranged_at = excluded.arranged_at,
    starts_at = excluded.starts_at, local_date = excluded.local_date, weekday = excluded.weekday, hour = excluded.hour, lead_days = excluded.lead_days,
    cancelled = excluded.cancelled, outcome = excluded.outcome
  RETURNING r.cancelled, r.outcome, r.site_id, r.referral_source, r.mandatory, r.weekday, r.hour, r.lead_days, r.reminder_state,
            (extract(epoch FROM r.starts_at - r.arranged_at) / 3600)::float8 AS hours_ahead,
            (SELECT code FROM appointment_types WHERE id = r.appointment_type_id) AS code,
            (SELECT channel FROM appointment_types WHERE id = r.appointment_type_id) AS channel,
            (SELECT confirmed_at IS NOT NULL FROM bookings WHERE id = r.booking_id) AS confirmed,
            (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = r.customer_reference AND p.starts_at < r.arranged_at AND p.outcome IN ('attended', 'late', 'left_unseen'))::int AS showed,
            (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = r.customer_reference AND p.starts_at < r.arranged_at AND p.outcome = 'dna')::int AS missed`;

/** What the show model reads of a booking, as refreshRecord answers it. */
export interface ScoringFacts {
  cancelled: boolean;
  outcome: string | null;
  site_id: string;
  referral_source: ShowSignals['referralSource'];
  mandatory: boolean;
  weekday: number;
  hour: number;
  lead_days: number;
  reminder_state: ShowSignals['reminder'];
  /** From when the present time was agreed to the start: whether a reminder is due. */
  hours_ahead: number;
  code: string;
  channel: ShowSignals['channel'];
  confirmed: boolean;
  showed: number;
  missed: number;
}

/** Brings the booking's attendance record up to date and answers what the show model needs of it. */
export async function refreshRecord(manager: EntityManager, bookingId: string): Promise<ScoringFacts | undefined> {
  const [facts] = await runPrepared<ScoringFacts>(manager, { name: 'attendance_records.refresh', text: REFRESH_RECORD }, [bookingId]);
  return facts;
}
