import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BookingEvent, BookingEventKind, BookingEvents } from '../common/events/booking-events';
import { ShowModelService } from './show-model.service';

// One statement keeps a booking's row of attendance_records in step with the booking: its
// dimensions in the site's zone (weekday, hour, local date, lead time from when the
// present time was agreed), its cancellation and its outcome.
const UPSERT_RECORD = `
  INSERT INTO attendance_records (id, booking_id, site_id, adviser_id, appointment_type_id, organisation_id, customer_reference, referral_source, referrer_name,
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
    cancelled = excluded.cancelled, outcome = excluded.outcome`;

// The signals that a booking event carries for the show probability.
const SIGNAL_UPDATES: Partial<Record<BookingEvent['kind'], string>> = {
  reminder_delivered: `UPDATE bookings SET reminder_state = 'delivered' WHERE id = $1`,
  // One failed message does not undo one that was delivered.
  reminder_failed: `UPDATE bookings SET reminder_state = 'failed' WHERE id = $1 AND reminder_state = 'pending'`,
  customer_confirmed: `UPDATE bookings SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1`,
};

// The events after which the booking's show probability is worked out again.
const RESCORE_ON = new Set<BookingEventKind>(['created', 'rescheduled', 'reminder_delivered', 'reminder_failed', 'customer_confirmed']);

/**
 * The attendance feature's side of every booking event: the booking's signals, its row of
 * attendance records and its show probability, all in the transaction that made the change.
 */
@Injectable()
export class AttendanceRecords implements OnModuleInit {
  constructor(
    private readonly events: BookingEvents,
    private readonly showModel: ShowModelService,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((manager, event) => this.apply(manager, event));
  }

  private async apply(manager: EntityManager, event: BookingEvent): Promise<void> {
    const signal = SIGNAL_UPDATES[event.kind];
    if (signal) await manager.query(signal, event.kind === 'customer_confirmed' ? [event.bookingId, new Date(event.at)] : [event.bookingId]);
    await manager.query(UPSERT_RECORD, [event.bookingId]);
    if (RESCORE_ON.has(event.kind)) await this.showModel.rescore(manager, event.bookingId);
  }
}
