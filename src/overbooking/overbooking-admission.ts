import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ExtraSeats, FullSession } from '../common/admission/extra-seats';
import { ShowEstimates } from '../common/admission/show-estimates';
import { AppError } from '../common/errors/app-error';
import { BookingEvent, BookingEvents, WrittenColumns } from '../common/events/booking-events';
import { DAY, HOUR, localClockOf, localDay } from '../common/time/local-time';
import { decideOverbooking, OverbookingRefusal, OverbookingRequest, SessionLoad } from './domain/admission';
import { OverbookingPolicy, POLICY_DEFAULTS } from './domain/policy';
import { releasedSeatRefusal } from './domain/release';

// The bookings whose scores make the site's show rate: those around the session, not the
// whole history, so that a site's rate follows the season and the model as they change.
const SHOW_RATE_WINDOW = 28 * DAY;

const REFUSED: Record<Exclude<OverbookingRefusal, 'FULL'>, string> = {
  CAP_SESSION: 'That slot is full, and already holds as many extra customers as the site allows',
  CAP_DAY: 'That slot is full, and the site has admitted as many extra customers that day as it allows',
  TOO_CLOSE: 'That slot is full, and too close to its start for an extra customer',
  REPEAT_EXTRA: "That slot is full, and the customer's last booking was already an extra one",
  RISK: 'That slot is full, and one more customer would make a queue likelier than the site allows',
};

interface SessionRow {
  id: string;
  capacity: number;
  appointment_type_id: string;
  starts_at: number;
  customers: number;
}

/**
 * Overbooking's side of a booking: whether a full session may be tried at all (ExtraSeats,
 * asked by bookings as it takes a seat), and, once the booking is written and scored, the
 * decision on the extra, in the booking's own transaction. The booking is already under its
 * adviser's lock, so nobody else joins the session meanwhile; extras at one site are decided
 * one at a time (an advisory lock), so that two advisers' extras cannot both take the day's
 * last place.
 */
@Injectable()
export class OverbookingAdmission extends ExtraSeats implements OnModuleInit {
  constructor(
    private readonly events: BookingEvents,
    private readonly shows: ShowEstimates,
  ) {
    super();
  }

  onModuleInit(): void {
    this.events.subscribe((manager, event) => this.decide(manager, event), 'decisions');
  }

  async mayTry(manager: EntityManager, session: FullSession): Promise<boolean> {
    return (await this.policy(manager, session.siteId, session.appointmentTypeId))?.policy.mode === 'risk';
  }

  /** An appointment type's own policy, else the site's; none means off. */
  private async policy(manager: EntityManager, siteId: string, appointmentTypeId: string): Promise<{ policy: OverbookingPolicy; version: number } | undefined> {
    const [row] = await manager.query(
      `SELECT policy, version FROM overbooking_policies WHERE site_id = $1 AND (appointment_type_id = $2 OR appointment_type_id IS NULL)
        ORDER BY appointment_type_id NULLS LAST LIMIT 1`,
      [siteId, appointmentTypeId],
    );
    return row;
  }

  private async decide(manager: EntityManager, event: BookingEvent): Promise<WrittenColumns | undefined> {
    if (event.kind !== 'created' && event.kind !== 'rescheduled') return undefined;
    // Most bookings take a seat; only an extra has anything to decide.
    if (event.overbooked === false) return undefined;
    const [booking] = await manager.query(
      `SELECT b.session_id, b.site_id, b.appointment_type_id, (extract(epoch FROM b.starts_at) * 1000)::float8 AS start, b.show_probability, b.customer_id
         FROM bookings b WHERE b.id = $1 AND b.overbooked`,
      [event.bookingId],
    );
    if (!booking) return undefined;
    const session: FullSession = { sessionId: booking.session_id, siteId: booking.site_id, appointmentTypeId: booking.appointment_type_id, start: new Date(booking.start) };
    if (typeof event.data?.releasedFrom === 'string') return this.admitReleased(manager, session, event.bookingId, event.data.releasedFrom, event.at);
    const lastWasExtra = await this.lastWasExtra(manager, booking.customer_id, event.bookingId);
    const outlook = await this.outlook(manager, session, event.at, { bookingId: event.bookingId, lastWasExtra });
    if (!outlook) throw new AppError(409, 'SLOT_FULL', 'That slot is full');
    // Unscored (a site with no model yet): counted as certain to come, which admits the fewest extras.
    const decision = decideOverbooking({ ...outlook.request, candidate: booking.show_probability ?? 1 });
    if (!decision.admit) {
      throw decision.reason === 'FULL'
        ? new AppError(409, 'SLOT_FULL', 'That slot is full')
        : new AppError(409, 'SLOT_FULL', REFUSED[decision.reason], { reason: decision.reason, ...('risk' in decision ? { risk: decision.risk } : {}) });
    }
    // TypeORM answers an UPDATE ... RETURNING as [rows, count].
    const [[written]] = await manager.query('UPDATE bookings SET overbook_policy_version = $2, overbook_risk = $3 WHERE id = $1 RETURNING overbook_policy_version, overbook_risk', [
      event.bookingId,
      outlook.version,
      decision.overbooked ? decision.risk : null,
    ]);
    return written;
  }

  async quote(manager: EntityManager, customer: { clientId: string; reference: string }, sessions: readonly FullSession[], now: number): Promise<Map<string, number>> {
    const quotes = new Map<string, number>();
    const [known] = await manager.query('SELECT id FROM customers WHERE client_id = $1 AND reference = $2', [customer.clientId, customer.reference]);
    // The customer's history is the same for every session quoted: read it once.
    const lastWasExtra = known ? await this.lastWasExtra(manager, known.id) : false;
    for (const session of sessions) {
      const outlook = await this.outlook(manager, session, now, { lastWasExtra });
      if (!outlook) continue;
      const candidate = await this.shows.estimate(manager, { customerReference: customer.reference, siteId: session.siteId, appointmentTypeId: session.appointmentTypeId, start: session.start.getTime(), now });
      const decision = decideOverbooking({ ...outlook.request, candidate });
      if (decision.admit && decision.overbooked) quotes.set(session.sessionId, decision.risk);
    }
    return quotes;
  }

  /** Whether the customer's most recently arranged other active booking was admitted as an extra. */
  private async lastWasExtra(manager: EntityManager, customerId: string, exceptBookingId?: string): Promise<boolean> {
    const [last] = await manager.query(
      `SELECT overbooked FROM bookings WHERE customer_id = $1 AND id IS DISTINCT FROM $2 AND status = 'booked' ORDER BY arranged_at DESC LIMIT 1`,
      [customerId, exceptBookingId ?? null],
    );
    return last?.overbooked ?? false;
  }

  /**
   * Everything the rule needs to know about a full session but the candidate's show
   * probability, under the policy that applies; undefined where no risk policy does. With
   * `bookingId`, that booking is already in the session (being decided on) and is left out
   * of the counts, which then stand as they did before it.
   */
  private async outlook(
    manager: EntityManager,
    session: FullSession,
    now: number,
    candidate: { bookingId?: string; lastWasExtra: boolean },
  ): Promise<{ request: Omit<OverbookingRequest, 'candidate'>; version: number } | undefined> {
    const applied = await this.policy(manager, session.siteId, session.appointmentTypeId);
    if (applied?.policy.mode !== 'risk') return undefined;
    const { timezone, sessions, own, extrasToday } = await this.load(manager, session, now, candidate.bookingId);
    const start = session.start.getTime();
    const hour = Math.floor(localClockOf(start, timezone).minutes / 60);
    const pool = sessions.filter(
      (s) => s.id !== session.sessionId && s.appointment_type_id === session.appointmentTypeId && Math.floor(localClockOf(s.starts_at, timezone).minutes / 60) === hour,
    );
    const [{ rate }] = await manager.query(
      `SELECT avg(show_probability)::float8 AS rate FROM bookings
        WHERE site_id = $1 AND appointment_type_id = $2 AND status = 'booked' AND id IS DISTINCT FROM $3 AND starts_at BETWEEN $4 AND $5`,
      [session.siteId, session.appointmentTypeId, candidate.bookingId ?? null, new Date(start - SHOW_RATE_WINDOW), new Date(start + SHOW_RATE_WINDOW)],
    );
    return {
      version: applied.version,
      request: {
        policy: applied.policy,
        session: own,
        // Nobody scored around the session (a session of holds): all counted as coming.
        showRate: rate ?? 1,
        extrasToday,
        hoursUntilStart: (start - now) / HOUR,
        lastBookingOverbooked: candidate.lastWasExtra,
        pool,
      },
    };
  }

  /**
   * The site's sessions on the session's local day with their customers (active bookings and
   * live holds), the session's own load, and the extras at the site that day. With
   * `bookingId`, that booking is already in the session (being decided on): extras at the
   * site are then decided one at a time, and it is left out of the counts.
   */
  private async load(
    manager: EntityManager,
    session: FullSession,
    now: number,
    bookingId?: string,
  ): Promise<{ timezone: string; sessions: SessionRow[]; own: SessionLoad; extrasToday: number }> {
    if (bookingId) await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`overbooking:${session.siteId}`]);
    const [{ timezone }] = await manager.query('SELECT timezone FROM sites WHERE id = $1', [session.siteId]);
    const day = localDay(timezone, localClockOf(session.start.getTime(), timezone).date);
    const sessions: SessionRow[] = await manager.query(
      `SELECT s.id, s.capacity, s.appointment_type_id, (extract(epoch FROM s.starts_at) * 1000)::float8 AS starts_at,
              s.booked + s.extras + (SELECT count(*) FROM holds h WHERE h.session_id = s.id AND h.released_at IS NULL AND h.expires_at > $4)::int AS customers
         FROM sessions s WHERE s.site_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3`,
      [session.siteId, new Date(day.start), new Date(day.end), new Date(now)],
    );
    const self = bookingId ? 1 : 0;
    const own = sessions.find((s) => s.id === session.sessionId)!;
    return {
      timezone,
      sessions,
      own: { capacity: own.capacity, customers: own.customers - self },
      extrasToday: sessions.reduce((sum, s) => sum + Math.max(0, s.customers - s.capacity), 0) - self,
    };
  }

  /**
   * What a seat released beside a booking would meet in its session: the hard caps of the
   * policy that applies, whatever its mode (the defaults where none was set), and the counts.
   * With `bookingId`, as load.
   */
  async releasedSeat(
    manager: EntityManager,
    session: FullSession,
    now: number,
    bookingId?: string,
  ): Promise<{ caps: Pick<OverbookingPolicy, 'maxExtraPerSession' | 'maxExtraPerDay'>; version: number | null; session: SessionLoad; extrasToday: number }> {
    const applied = await this.policy(manager, session.siteId, session.appointmentTypeId);
    const { own, extrasToday } = await this.load(manager, session, now, bookingId);
    return { caps: applied?.policy ?? POLICY_DEFAULTS, version: applied?.version ?? null, session: own, extrasToday };
  }

  /**
   * A customer booked into a full session on a seat released beside `releasedFrom`: admitted
   * within the caps alone (releasedSeatRefusal), and only into the released booking's own
   * session, once released.
   */
  private async admitReleased(manager: EntityManager, session: FullSession, bookingId: string, releasedFrom: string, now: number): Promise<WrittenColumns> {
    const [released] = await manager.query(
      `SELECT 1 FROM bookings b WHERE b.id = $1 AND b.session_id = $2 AND EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = b.id AND e.kind = 'released')`,
      [releasedFrom, session.sessionId],
    );
    if (!released) throw new AppError(409, 'SLOT_FULL', 'That slot is full');
    const outlook = await this.releasedSeat(manager, session, now, bookingId);
    const refusal = releasedSeatRefusal(outlook.caps, outlook.session, outlook.extrasToday);
    if (refusal) throw new AppError(409, 'SLOT_FULL', REFUSED[refusal], { reason: refusal });
    const [[written]] = await manager.query('UPDATE bookings SET overbook_policy_version = $2, overbook_risk = NULL WHERE id = $1 RETURNING overbook_policy_version, overbook_risk', [bookingId, outlook.version]);
    return written;
  }
}
