import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BookingEvent, BookingEventKind, BookingEvents, WrittenColumns } from '../common/events/booking-events';
import { refreshRecord } from './records';
import { ShowModelService } from './show-model.service';

// The signals that a booking event carries for the show probability.
const SIGNAL_UPDATES: Partial<Record<BookingEvent['kind'], string>> = {
  reminder_delivered: `UPDATE bookings SET reminder_state = 'delivered' WHERE id = $1`,
  // One failed message does not undo one that was delivered.
  reminder_failed: `UPDATE bookings SET reminder_state = 'failed' WHERE id = $1 AND reminder_state = 'pending'`,
  customer_confirmed: `UPDATE bookings SET confirmed_at = coalesce(confirmed_at, $2) WHERE id = $1`,
};

// Events that change nothing the record holds.
const RECORD_UNCHANGED = new Set<BookingEventKind>(['held', 'reminder_sent', 'flagged_for_rebooking', 'released']);
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

  private async apply(manager: EntityManager, event: BookingEvent): Promise<WrittenColumns | undefined> {
    const signal = SIGNAL_UPDATES[event.kind];
    if (signal) await manager.query(signal, event.kind === 'customer_confirmed' ? [event.bookingId, new Date(event.at)] : [event.bookingId]);
    if (RECORD_UNCHANGED.has(event.kind)) return undefined;
    const facts = await refreshRecord(manager, event.bookingId);
    if (facts && RESCORE_ON.has(event.kind)) return { ...(await this.showModel.score(manager, event.bookingId, facts)) };
    return undefined;
  }
}
