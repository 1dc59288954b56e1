import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { actorOf, BookingEvents } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { formatInstant } from '../common/time/local-time';
import { bookingRefusal, RELEASE_CEILING, releasedSeatRefusal, ReleaseRefusal } from './domain/release';
import { ReleaseView } from './dto/release.dto';
import { OverbookingAdmission } from './overbooking-admission';

const REFUSED: Record<ReleaseRefusal, string> = {
  BOOKING_CANCELLED: 'The booking is cancelled: its seat is already free',
  BOOKING_STARTED: 'The booking has already started',
  ALREADY_RELEASED: 'A seat beside this booking has already been offered to the waitlist',
  LIKELY_TO_COME: `The customer is likely to come: a seat is offered beside a booking only at a show probability of ${RELEASE_CEILING} or less`,
  CAP_SESSION: 'The session already holds as many extra customers as the site allows',
  CAP_DAY: 'The site has admitted as many extra customers that day as it allows',
};

/**
 * Releasing a booking likely to be missed: the site offers one extra seat beside it to the
 * waitlist, and the customer keeps their appointment (nobody's booking is cancelled on a
 * prediction). The release is the booking's `released` event, in a transaction holding the
 * booking's row, so a cancellation cannot slip in between; the waitlist reacts to the event
 * as it does to a cancellation, and whoever claims the seat is admitted as an extra within
 * the site's caps (OverbookingAdmission), checked here too so that no seat is offered that
 * could not be had.
 */
@Injectable()
export class ReleaseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: BookingEvents,
    private readonly admission: OverbookingAdmission,
    private readonly clock: Clock,
  ) {}

  /** `staffId`: the site manager who released it on the day sheet, where the key is the service's own. */
  async release(principal: Principal, bookingId: string, staffId?: string, now = this.clock.now()): Promise<ReleaseView> {
    return this.dataSource.transaction(async (manager) => {
      const [b] = await manager.query(
        `SELECT b.status, b.site_id, b.session_id, b.appointment_type_id, b.starts_at, b.show_probability, s.timezone,
                EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = b.id AND e.kind = 'released') AS released
           FROM bookings b JOIN sites s ON s.id = b.site_id WHERE b.id = $1 FOR UPDATE OF b`,
        [bookingId],
      );
      // A booking at a site the key does not manage is reported as missing, so ids leak nothing.
      if (!b || !mayManageSite(principal, b.site_id)) throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking with id ${bookingId}`);
      const refused = bookingRefusal({ cancelled: b.status !== 'booked', start: b.starts_at.getTime(), showProbability: b.show_probability, released: b.released }, now);
      if (refused) throw new AppError(409, refused, REFUSED[refused]);
      const seat = await this.admission.releasedSeat(manager, { sessionId: b.session_id, siteId: b.site_id, appointmentTypeId: b.appointment_type_id, start: b.starts_at }, now);
      const full = releasedSeatRefusal(seat.caps, seat.session, seat.extrasToday);
      if (full) throw new AppError(409, full, REFUSED[full]);
      const by = { ...(principal.keyId ? { keyId: principal.keyId } : {}), ...(staffId ? { staffId } : {}) };
      try {
        await this.events.record(manager, {
          bookingId,
          kind: 'released',
          at: now,
          actor: actorOf(principal),
          data: { sessionId: b.session_id, start: b.starts_at.toISOString(), showProbability: b.show_probability, ...by },
        });
      } catch (error) {
        // Two releases at once: the index that allows one answers the second.
        if ((error as { code?: string }).code === '23505') throw new AppError(409, 'ALREADY_RELEASED', REFUSED.ALREADY_RELEASED);
        throw error;
      }
      return { bookingId, sessionId: b.session_id, start: formatInstant(b.starts_at.getTime(), b.timezone), showProbability: b.show_probability, releasedAt: new Date(now).toISOString() };
    });
  }
}
