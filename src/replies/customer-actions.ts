import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BookingsService } from '../bookings/bookings.service';
import { NIL_UUID, Principal, SCOPES } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { BookingEvents } from '../common/events/booking-events';
import { DAY, MINUTE } from '../common/time/local-time';
import { DiaryLoader } from '../slots/diary.loader';
import { generateSlots } from '../slots/domain/slots';
import { OfferedSlot, slotsToOffer, UpcomingBooking } from './domain/conversation';

// A customer acts on their own booking whichever organisation made it, as only the admin
// key can; the booking records the customer as the one who acted.
const CUSTOMER: Principal = { clientId: NIL_UUID, organisationId: null, scopes: new Set(SCOPES), admin: true, customer: true };

// New times are looked for from now until this long after the present one (within the
// longest search the service allows).
const MOVE_AFTER_DAYS = 14;
const MOVE_SEARCH_DAYS = 92;

/** Which way the customer acted: a text reply, or the personal link in a reminder. */
export type CustomerRoute = { via: 'sms'; inboundMessageId: string } | { via: 'link'; linkId: string };

// A refusal the customer is told about (taken, cancelled or moved meanwhile), not a failure of the service.
const refused = (error: unknown): boolean => error instanceof AppError && error.status < 500;

/**
 * What a customer may do to their own booking, by whichever route they come: confirm it,
 * cancel it, be offered held times to move to, and move to one. Each reports whether it
 * happened; a booking changed meanwhile is left alone.
 */
@Injectable()
export class CustomerActions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bookings: BookingsService,
    private readonly diaries: DiaryLoader,
    private readonly events: BookingEvents,
  ) {}

  /** The customer_confirmed event the show model reads, if the booking is still booked at the time they were told of. */
  async confirm(manager: EntityManager, booking: Pick<UpcomingBooking, 'id' | 'start'>, route: CustomerRoute, now: number): Promise<boolean> {
    const [row] = await manager.query(`SELECT status, starts_at FROM bookings WHERE id = $1 FOR NO KEY UPDATE`, [booking.id]);
    if (!row || row.status !== 'booked' || row.starts_at.getTime() !== booking.start) return false;
    await this.events.record(manager, { bookingId: booking.id, kind: 'customer_confirmed', at: now, actor: { type: 'customer' }, data: route });
    return true;
  }

  /**
   * Through the bookings service, as any cancellation: seat freed, reminders withdrawn, the
   * cancellation notice planned, unless they came by text, whose answer is the notice.
   */
  async cancel(bookingId: string, reason: string, via: CustomerRoute['via'], now: number): Promise<boolean> {
    try {
      await this.bookings.cancel(CUSTOMER, bookingId, { by: 'customer', reason }, now, { byTextReply: via === 'sms' });
      return true;
    } catch (error) {
      // Cancelled, started or moved since the booking was read.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      return false;
    }
  }

  /**
   * Up to three free times at the booking's site, each held for the customer as a work
   * coach's hold is (HOLD_MINUTES). None when nothing is free or none could be held.
   */
  async offer(booking: UpcomingBooking, now: number): Promise<OfferedSlot[]> {
    const [{ code }] = await this.dataSource.query('SELECT t.code FROM bookings b JOIN appointment_types t ON t.id = b.appointment_type_id WHERE b.id = $1', [booking.id]);
    const range = { start: now, end: Math.min(booking.start + MOVE_AFTER_DAYS * DAY, now + MOVE_SEARCH_DAYS * DAY) };
    const diary = await this.diaries.load({ typeCode: code, siteIds: [booking.siteId], range, now });
    const free = generateSlots({ ...diary, range, earliestStart: (siteId) => now + diary.sites.get(siteId)!.minNoticeMinutes * MINUTE });
    const slots: OfferedSlot[] = [];
    for (const slot of slotsToOffer(free, booking.start)) {
      try {
        const hold = await this.bookings.createHold(CUSTOMER, { appointmentType: code, siteId: slot.siteId, adviserId: slot.adviserId, start: new Date(slot.start).toISOString() }, now);
        slots.push({ holdId: hold.id, start: slot.start, zone: booking.zone, siteName: booking.siteName });
      } catch (error) {
        // Taken since the diary was read: offer the others.
        if (!refused(error)) throw error;
      }
    }
    return slots;
  }

  /**
   * Through the reschedule path, from the customer's hold: a hold that has lapsed still
   * gets the time if it is free, and never a seat someone else has taken since. The other
   * times offered with it are given back once it is done.
   */
  async move(bookingId: string, slot: OfferedSlot, others: readonly string[], now: number): Promise<boolean> {
    try {
      await this.bookings.reschedule(CUSTOMER, bookingId, { holdId: slot.holdId }, now);
    } catch (error) {
      if (!refused(error)) throw error;
      return false;
    }
    await this.release(others, now);
    return true;
  }

  /** Gives back times held for the customer and not taken. */
  async release(holdIds: readonly string[], now: number): Promise<void> {
    for (const holdId of holdIds) {
      try {
        await this.bookings.releaseHold(CUSTOMER, holdId, now);
      } catch (error) {
        // Already released or used: nothing left to give back.
        if (!refused(error)) throw error;
      }
    }
  }
}
