import { Global, Injectable, Module } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { runPrepared } from '../database/prepared';

export const BOOKING_EVENT_KINDS = [
  'created',
  'held',
  'rescheduled',
  'cancelled',
  'flagged_for_rebooking',
  'outcome_recorded',
  'outcome_corrected',
  'reminder_sent',
  'reminder_delivered',
  'reminder_failed',
  'customer_confirmed',
  // A site offered the waitlist an extra seat beside the booking, which stands (overbooking's release).
  'released',
] as const;
export type BookingEventKind = (typeof BOOKING_EVENT_KINDS)[number];

export type Actor = { type: 'organisation'; id: string } | { type: 'admin' | 'system' | 'customer' };

export const actorOf = (principal: Principal): Actor =>
  principal.customer ? { type: 'customer' } : principal.admin || !principal.organisationId ? { type: 'admin' } : { type: 'organisation', id: principal.organisationId };
export const SYSTEM: Actor = { type: 'system' };

export interface BookingEvent {
  bookingId: string;
  kind: BookingEventKind;
  at: number;
  actor: Actor;
  data?: Record<string, unknown>;
  /**
   * Whether the booking sits beyond its session's seats, when the change knows it (a
   * booking or a move): a handler that cares only for extras need not read the booking.
   * Not stored with the event.
   */
  overbooked?: boolean;
}

/** Columns of the booking's row as a handler wrote them (RETURNING), by column name. */
export type WrittenColumns = Record<string, unknown>;

/**
 * Reacts inside the transaction that records the event: what it writes commits or rolls back
 * with the change. A handler that writes to the booking's own row answers the columns as
 * stored, so that the change can answer with the booking without reading it back.
 */
export type BookingEventHandler = (manager: EntityManager, event: BookingEvent) => Promise<WrittenColumns | void>;

const INSERT_EVENT = {
  name: 'booking_events.insert',
  text: 'INSERT INTO booking_events (booking_id, kind, at, actor_type, actor_id, data) VALUES ($1, $2, $3, $4, $5, $6)',
};

const INSERT_EVENTS = {
  name: 'booking_events.insert_all',
  text: `INSERT INTO booking_events (booking_id, kind, at, actor_type, actor_id, data)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::uuid[], $6::jsonb[])`,
};

/** The event as INSERT_EVENT's values, and column by column as INSERT_EVENTS's arrays. */
const eventRow = (event: BookingEvent): unknown[] => [event.bookingId, event.kind, new Date(event.at), event.actor.type, 'id' in event.actor ? event.actor.id : null, event.data ?? {}];

/**
 * When a handler runs: every `facts` handler (what the booking is: its record, its score)
 * before any `decisions` handler (what may be done with it: admitting an extra), which may
 * throw to refuse the change and roll it back.
 */
export type BookingEventPhase = 'facts' | 'decisions';

/**
 * How features meet: the one that changes a booking records the event here, in its own
 * transaction, and features that care (attendance, and later overbooking, replies and the
 * waitlist) subscribe at start-up instead of being called by name.
 */
@Injectable()
export class BookingEvents {
  private readonly handlers: Record<BookingEventPhase, BookingEventHandler[]> = { facts: [], decisions: [] };

  subscribe(handler: BookingEventHandler, phase: BookingEventPhase = 'facts'): void {
    this.handlers[phase].push(handler);
  }

  /** Records the event and runs the handlers; answers the booking's columns they wrote. */
  async record(manager: EntityManager, event: BookingEvent): Promise<WrittenColumns> {
    await runPrepared(manager, INSERT_EVENT, eventRow(event));
    return this.handle(manager, event);
  }

  /**
   * Several events in one statement (a batch of reminders recording its sends), each then
   * handed to every handler as `record` does; what the handlers wrote is not answered.
   */
  async recordAll(manager: EntityManager, events: BookingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map(eventRow);
    await runPrepared(manager, INSERT_EVENTS, rows[0].map((_, column) => rows.map((row) => row[column])));
    for (const event of events) await this.handle(manager, event);
  }

  private async handle(manager: EntityManager, event: BookingEvent): Promise<WrittenColumns> {
    const written: WrittenColumns = {};
    for (const handler of [...this.handlers.facts, ...this.handlers.decisions]) Object.assign(written, await handler(manager, event));
    return written;
  }
}

@Global()
@Module({ providers: [BookingEvents], exports: [BookingEvents] })
export class BookingEventsModule {}
