import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { ukMobile } from '../common/contact/mobile';
import { AppError } from '../common/errors/app-error';
import { actorOf, BookingEvents } from '../common/events/booking-events';
import { runPrepared } from '../common/database/prepared';
import { Clock } from '../common/time/clock';
import { DAY, formatInstant, localDay, MINUTE, parseInstant } from '../common/time/local-time';
import { OutboxRelay } from '../reminders/outbox.relay';
import { ReminderPlanner } from '../reminders/reminder-planner.service';
import { customerSearch } from './domain/customer-search';
import { requestHash } from './domain/request-hash';
import { BookingListQuery, BookingView, CancelDto, CreateBookingDto, CreateHoldDto, CustomerDto, HoldView, RescheduleDto, SlotOrHoldDto } from './dto/bookings.dto';
import { Seat, SeatService, SlotRef } from './seat.service';

// A referral feedback list covers at most about a quarter.
const REFERRAL_RANGE_DAYS = 92;
// A customer's bookings as a work coach looks them up: the coming ones and the last month's.
export const CUSTOMER_RECENT_DAYS = 31;
const CUSTOMER_BOOKINGS_MAX = 100;

const UPSERT_CUSTOMER = {
  name: 'customers.upsert',
  text: `INSERT INTO customers (id, client_id, reference, name, mobile, email, preferred_channel, consent_to_contact)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (client_id, reference) DO UPDATE SET name = excluded.name,
           -- A later booking that leaves out a number or address does not erase the one on file.
           mobile = coalesce(excluded.mobile, customers.mobile), email = coalesce(excluded.email, customers.email),
           -- A different number starts clean: what a provider said of the old one no longer applies.
           mobile_invalid_at = CASE WHEN excluded.mobile IS DISTINCT FROM customers.mobile AND excluded.mobile IS NOT NULL THEN NULL ELSE customers.mobile_invalid_at END,
           sms_opted_out_at = CASE WHEN excluded.mobile IS DISTINCT FROM customers.mobile AND excluded.mobile IS NOT NULL THEN NULL ELSE customers.sms_opted_out_at END,
           preferred_channel = excluded.preferred_channel, consent_to_contact = excluded.consent_to_contact, updated_at = now()
         RETURNING id, reference, name, mobile, email, preferred_channel, consent_to_contact`,
};

const INSERT_BOOKING = {
  name: 'bookings.insert',
  text: `INSERT INTO bookings (id, session_id, customer_id, organisation_id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, status,
                               referral_source, referrer_name, referral_reason, referral_mandatory, message_variant, created_at, arranged_at, overbooked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'booked', $11, $12, $13, $14, $15, $16, $16, $17)`,
};

type CustomerRow = Pick<BookingRow, 'reference' | 'name' | 'mobile' | 'email' | 'preferred_channel' | 'consent_to_contact'> & { id: string };

// A new booking's columns that the INSERT leaves to their defaults.
const NEW_BOOKING = {
  status: 'booked',
  needs_rebooking: false,
  reschedule_count: 0,
  cancelled_by: null,
  cancel_reason: null,
  cancelled_at: null,
  outcome: null,
  show_probability: null,
  show_factors: null,
  overbook_policy_version: null,
  overbook_risk: null,
} as const;

const BOOKING_SELECT = `
  SELECT b.*, t.code AS type_code, s.timezone, c.reference, c.name, c.mobile, c.email, c.preferred_channel, c.consent_to_contact
    FROM bookings b
    JOIN appointment_types t ON t.id = b.appointment_type_id
    JOIN sites s ON s.id = b.site_id
    JOIN customers c ON c.id = b.customer_id`;

interface BookingRow {
  id: string;
  status: string;
  type_code: string;
  site_id: string;
  adviser_id: string;
  room_id: string | null;
  session_id: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  needs_rebooking: boolean;
  reschedule_count: number;
  message_variant: string;
  reference: string;
  name: string;
  mobile: string | null;
  email: string | null;
  preferred_channel: string;
  consent_to_contact: boolean;
  referral_source: string;
  referrer_name: string | null;
  referral_reason: string | null;
  referral_mandatory: boolean;
  organisation_id: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
  cancelled_at: Date | null;
  created_at: Date;
  outcome: string | null;
  show_probability: number | null;
  show_factors: { factor: string; effect: number }[] | null;
  overbooked: boolean;
  overbook_policy_version: number | null;
  overbook_risk: number | null;
}

const bookingView = (r: BookingRow): BookingView => ({
  id: r.id,
  status: r.status,
  appointmentType: r.type_code,
  siteId: r.site_id,
  adviserId: r.adviser_id,
  roomId: r.room_id,
  start: formatInstant(r.starts_at.getTime(), r.timezone),
  end: formatInstant(r.ends_at.getTime(), r.timezone),
  needsRebooking: r.needs_rebooking,
  rescheduleCount: r.reschedule_count,
  messageVariant: r.message_variant,
  customer: { reference: r.reference, name: r.name, mobile: r.mobile, email: r.email, preferredChannel: r.preferred_channel, consentToContact: r.consent_to_contact },
  referral: { source: r.referral_source, referrerName: r.referrer_name, reason: r.referral_reason, mandatory: r.referral_mandatory },
  organisationId: r.organisation_id,
  cancelledBy: r.cancelled_by,
  cancelReason: r.cancel_reason,
  cancelledAt: r.cancelled_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  outcome: r.outcome,
  showProbability: r.status === 'booked' ? r.show_probability : null,
  showFactors: r.status === 'booked' ? (r.show_factors ?? []) : [],
  overbooked: r.overbooked,
  overbookPolicyVersion: r.overbook_policy_version,
  overbookRisk: r.overbook_risk,
});

function checkCustomer(customer: CustomerDto): { mobile: string | null; email: string | null } {
  const mobile = customer.mobile ? ukMobile(customer.mobile) : null;
  const email = customer.email?.toLowerCase() ?? null;
  if (customer.preferredChannel === 'sms' && !mobile) throw new AppError(400, 'CONTACT_MISSING', 'preferredChannel is sms but no mobile number was given');
  if (customer.preferredChannel === 'email' && !email) throw new AppError(400, 'CONTACT_MISSING', 'preferredChannel is email but no email address was given');
  return { mobile, email };
}

// $1 is always the caller's organisation: an admin sees every organisation's bookings.
const organisationScope = (principal: Principal) => (principal.admin ? '$1::uuid IS NULL OR true' : 'b.organisation_id = $1');

const slotOf = (dto: SlotOrHoldDto): SlotRef => ({ appointmentType: dto.appointmentType!, siteId: dto.siteId!, adviserId: dto.adviserId!, start: dto.start! });

export interface BookingResult {
  booking: BookingView;
  /** True when an Idempotency-Key repeat returned the stored first result. */
  replayed: boolean;
}

@Injectable()
export class BookingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly seats: SeatService,
    private readonly planner: ReminderPlanner,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: BookingEvents,
  ) {}

  private async holdRow(manager: EntityManager, principal: Principal, holdId: string, lock: boolean, now: number) {
    const [hold] = await manager.query(
      `SELECT h.id, h.session_id, h.organisation_id, h.released_at, h.consumed_by, h.created_at, h.expires_at > $2 AS live,
              h.adviser_id, h.site_id, h.starts_at, t.code
         FROM holds h JOIN appointment_types t ON t.id = h.appointment_type_id
        WHERE h.id = $1 ${lock ? 'FOR UPDATE OF h' : ''}`,
      [holdId, new Date(now)],
    );
    if (!hold || (!principal.admin && hold.organisation_id !== principal.organisationId)) {
      throw new AppError(404, 'HOLD_NOT_FOUND', `No hold with id ${holdId}`);
    }
    return hold;
  }

  async createHold(principal: Principal, dto: CreateHoldDto, now = this.clock.now()): Promise<HoldView> {
    return this.dataSource.transaction(async (manager) => {
      await this.seats.lockForSeats(manager, [dto.siteId], [dto.adviserId]);
      const seat = await this.seats.take(manager, dto, now);
      const id = randomUUID();
      const expiresAt = new Date(now + this.config.HOLD_MINUTES * MINUTE);
      await manager.query(
        `INSERT INTO holds (id, session_id, organisation_id, adviser_id, site_id, appointment_type_id, starts_at, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, seat.sessionId, principal.organisationId, seat.adviserId, seat.siteId, seat.appointmentTypeId, seat.start, expiresAt, new Date(now)],
      );
      return {
        id,
        expiresAt: expiresAt.toISOString(),
        appointmentType: dto.appointmentType,
        siteId: seat.siteId,
        adviserId: seat.adviserId,
        roomId: seat.roomId,
        start: formatInstant(seat.start.getTime(), seat.timezone),
        end: formatInstant(seat.end.getTime(), seat.timezone),
      };
    });
  }

  async releaseHold(principal: Principal, holdId: string, now = this.clock.now()): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const peek = await this.holdRow(manager, principal, holdId, false, now);
      await this.seats.lockAdvisers(manager, [peek.adviser_id]);
      const hold = await this.holdRow(manager, principal, holdId, true, now);
      if (hold.consumed_by) throw new AppError(409, 'HOLD_USED', 'The hold has already been turned into a booking');
      await manager.query('UPDATE holds SET released_at = coalesce(released_at, $2) WHERE id = $1', [holdId, new Date(now)]);
      if (hold.session_id) await this.seats.dropIfEmpty(manager, hold.session_id, now);
    });
  }

  /**
   * A seat for a booking, from a hold or a slot. The hold is given up first and its slot
   * taken through the same checks as any booking, under the adviser's lock: a live hold's
   * seat cannot be lost in between, and a closure or absence recorded since the hold was
   * made is still respected. A hold that lapsed or was released gets the slot if it is
   * still free. A live hold keeps the minimum notice it was made within.
   * The caller must hold the lock on the slot's adviser. `heldAt` is when the hold was made.
   */
  private async seatFor(manager: EntityManager, principal: Principal, dto: SlotOrHoldDto, bookingId: string, now: number, releasedSeat = false): Promise<Seat & { heldAt?: Date }> {
    const mayOverbook = dto.allowOverbook !== false;
    if (!dto.holdId) return this.seats.take(manager, slotOf(dto), now, mayOverbook, releasedSeat);
    const hold = await this.holdRow(manager, principal, dto.holdId, true, now);
    if (hold.consumed_by) throw new AppError(409, 'HOLD_USED', 'The hold has already been turned into a booking');
    await manager.query('UPDATE holds SET released_at = $3, consumed_by = $2 WHERE id = $1', [hold.id, bookingId, new Date(now)]);
    const slot = { appointmentType: hold.code, siteId: hold.site_id, adviserId: hold.adviser_id, start: hold.starts_at.toISOString() };
    const held = hold.live && !hold.released_at;
    return { ...(await this.seats.take(manager, slot, held ? Math.min(now, hold.created_at.getTime()) : now, mayOverbook)), heldAt: hold.created_at };
  }

  /** A booking or a move that came from a hold says so in its history, as of when the slot was held. */
  private async recordHeld(manager: EntityManager, principal: Principal, bookingId: string, dto: SlotOrHoldDto, seat: { heldAt?: Date; start: Date }): Promise<void> {
    if (!seat.heldAt) return;
    await this.events.record(manager, { bookingId, kind: 'held', at: seat.heldAt.getTime(), actor: actorOf(principal), data: { holdId: dto.holdId, start: seat.start.toISOString() } });
  }

  /** Where and with whom a request will book, read before any lock is taken (a hold's slot never changes). */
  private async target(manager: EntityManager, principal: Principal, dto: SlotOrHoldDto, now: number): Promise<{ siteId: string; adviserId: string }> {
    if (!dto.holdId) return { siteId: dto.siteId!, adviserId: dto.adviserId! };
    const hold = await this.holdRow(manager, principal, dto.holdId, false, now);
    return { siteId: hold.site_id, adviserId: hold.adviser_id };
  }

  /**
   * `releasedFrom`: the booking takes the seat its site released beside that booking (the
   * waitlist's claim of it), which its created event says, for overbooking to decide on.
   */
  async book(principal: Principal, dto: CreateBookingDto, idempotencyKey?: string, now = this.clock.now(), options: { releasedFrom?: string } = {}): Promise<BookingResult> {
    const contact = checkCustomer(dto.customer);
    const hash = requestHash(dto);
    const result = await this.dataSource.transaction(async (manager): Promise<BookingResult> => {
      if (idempotencyKey) {
        // A repeat waits here for the first request to finish, then returns its result.
        await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`idempotency:${principal.clientId}:${idempotencyKey}`]);
        const [prior] = await manager.query('SELECT request_hash, response FROM idempotency_keys WHERE client_id = $1 AND key = $2', [principal.clientId, idempotencyKey]);
        if (prior) {
          if (!hash.equals(prior.request_hash)) throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body');
          return { booking: prior.response, replayed: true };
        }
      }
      const target = await this.target(manager, principal, dto, now);
      await this.seats.lockForSeats(manager, [target.siteId], [target.adviserId]);
      const id = randomUUID();
      const seat = await this.seatFor(manager, principal, dto, id, now, options.releasedFrom !== undefined);
      const [customer] = await runPrepared<CustomerRow>(manager, UPSERT_CUSTOMER, [
        randomUUID(),
        principal.clientId,
        dto.customer.reference,
        dto.customer.name,
        contact.mobile,
        contact.email,
        dto.customer.preferredChannel,
        dto.customer.consentToContact,
      ]);
      const referral = { referral_source: dto.referral.source, referrer_name: dto.referral.referrerName ?? null, referral_reason: dto.referral.reason ?? null, referral_mandatory: dto.referral.mandatory ?? false };
      const variant = this.planner.variantFor(id);
      await runPrepared(manager, INSERT_BOOKING, [
        id, seat.sessionId, customer.id, principal.organisationId, seat.adviserId, seat.siteId, seat.roomId, seat.appointmentTypeId, seat.start, seat.end,
        referral.referral_source, referral.referrer_name, referral.referral_reason, referral.referral_mandatory, variant, new Date(now), seat.extra,
      ]);
      await this.planner.plan(manager, { id, siteId: seat.siteId, start: seat.start, zone: seat.timezone }, 1, now);
      await this.recordHeld(manager, principal, id, dto, seat);
      const releasedFrom = options.releasedFrom ? { releasedFrom: options.releasedFrom } : {};
      const written = await this.events.record(manager, { bookingId: id, kind: 'created', at: now, actor: actorOf(principal), data: { start: seat.start.toISOString(), ...releasedFrom }, overbooked: seat.extra });
      // The booking as just written, from the values in hand and what the event's handlers
      // wrote to it (its score, an extra's admission), rather than read back.
      const booking = bookingView({
        ...customer, ...referral, ...NEW_BOOKING, ...(written as Partial<BookingRow>),
        id, type_code: seat.appointmentType, site_id: seat.siteId, adviser_id: seat.adviserId, room_id: seat.roomId, session_id: seat.sessionId,
        starts_at: seat.start, ends_at: seat.end, timezone: seat.timezone, message_variant: variant, organisation_id: principal.organisationId,
        created_at: new Date(now), overbooked: seat.extra,
      });
      if (idempotencyKey) {
        await manager.query('INSERT INTO idempotency_keys (client_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, 201, $4)', [principal.clientId, idempotencyKey, hash, booking]);
      }
      return { booking, replayed: false };
    });
    if (!result.replayed) this.relay.kick();
    return result;
  }

  private async read(manager: EntityManager | DataSource, principal: Principal, id: string): Promise<BookingView> {
    const [row] = await manager.query(`${BOOKING_SELECT} WHERE b.id = $1`, [id]);
    // Another organisation's booking is reported as missing, not forbidden, so ids leak nothing.
    if (!row || (!principal.admin && row.organisation_id !== principal.organisationId)) throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking with id ${id}`);
    return bookingView(row);
  }

  get(principal: Principal, id: string): Promise<BookingView> {
    return this.read(this.dataSource, principal, id);
  }

  async list(principal: Principal, query: BookingListQuery): Promise<BookingView[]> {
    const forms = [query.siteId, query.adviserId, query.customerReference, query.organisationId].filter((v) => v !== undefined).length;
    if (forms !== 1) throw new AppError(400, 'INVALID_FILTER', 'Give exactly one of siteId (with date), adviserId (with date), customerReference, or organisationId (with from and to)');
    if (query.organisationId !== undefined) return this.referrals(principal, query);
    if (query.from || query.to || query.outcome) throw new AppError(400, 'INVALID_FILTER', 'from, to and outcome go with organisationId');
    const scope = organisationScope(principal);
    let rows: BookingRow[];
    if (query.customerReference !== undefined) {
      if (query.date) throw new AppError(400, 'INVALID_FILTER', 'date goes with siteId or adviserId, not customerReference');
      rows = await this.dataSource.query(`${BOOKING_SELECT} WHERE (${scope}) AND c.reference = $2 ORDER BY b.starts_at`, [principal.organisationId, query.customerReference]);
    } else {
      if (!query.date) throw new AppError(400, 'INVALID_FILTER', 'A day sheet needs a date');
      // A site's day is its own local day; an adviser's week spans sites, all in England.
      const [site] = query.siteId ? await this.dataSource.query('SELECT timezone FROM sites WHERE id = $1', [query.siteId]) : [];
      const zone = site?.timezone ?? this.config.DEFAULT_TIMEZONE;
      const { start, end } = localDay(zone, query.date);
      const column = query.siteId ? 'b.site_id' : 'b.adviser_id';
      rows = await this.dataSource.query(
        `${BOOKING_SELECT} WHERE (${scope}) AND ${column} = $2 AND b.starts_at >= $3 AND b.starts_at < $4 ORDER BY b.starts_at, b.adviser_id`,
        [principal.organisationId, query.siteId ?? query.adviserId, new Date(start), new Date(end)],
      );
    }
    return rows.map(bookingView);
  }

  /**
   * A customer's bookings, found by what a work coach typed: their reference (whole, any case),
   * their mobile number or part of their name. Those that start from CUSTOMER_RECENT_DAYS ago
   * on, earliest first, and only the caller's organisation's (an admin's, everyone's).
   */
  async findForCustomer(principal: Principal, typed: string, now = this.clock.now()): Promise<BookingView[]> {
    const search = customerSearch(typed, (text) => {
      try {
        return ukMobile(text);
      } catch {
        return null;
      }
    });
    if (!search) throw new AppError(400, 'INVALID_FILTER', "Give the customer's reference, mobile number or 2 or more letters of their name");
    const scope = organisationScope(principal);
    // One OR across the three ways of matching can use no index and scans every customer;
    // each alone uses its own (0019). A name is looked for among the organisation's own
    // customers (client_id: a key's or staff member's customers are their organisation's).
    const ownCustomers = principal.admin ? '' : 'client_id = $1 AND';
    const rows: BookingRow[] = await this.dataSource.query(
      `WITH found AS (
         SELECT id FROM customers WHERE lower(reference) = lower($2)
         UNION SELECT id FROM customers WHERE mobile = $3
         UNION SELECT id FROM customers WHERE ${ownCustomers} name ILIKE $4)
       ${BOOKING_SELECT} WHERE (${scope}) AND b.customer_id IN (SELECT id FROM found) AND b.starts_at >= $5
        ORDER BY b.starts_at, b.id LIMIT ${CUSTOMER_BOOKINGS_MAX}`,
      [principal.organisationId, search.reference, search.mobile, search.namePattern, new Date(now - CUSTOMER_RECENT_DAYS * DAY)],
    );
    return rows.map(bookingView);
  }

  /**
   * How an organisation's referrals turned out: its own bookings that start in a range of
   * local days, optionally with one outcome ('none' for those not yet recorded). Nobody
   * else's bookings, whatever the key asks for.
   */
  private async referrals(principal: Principal, query: BookingListQuery): Promise<BookingView[]> {
    const organisationId = query.organisationId === 'mine' ? principal.organisationId : query.organisationId!;
    if (!organisationId) throw new AppError(400, 'INVALID_FILTER', 'The admin key belongs to no organisation: give its id rather than "mine"');
    if (!principal.admin && organisationId !== principal.organisationId) throw new AppError(403, 'FORBIDDEN', "A key sees only its own organisation's referrals");
    if (!query.from || !query.to) throw new AppError(400, 'INVALID_FILTER', 'organisationId needs from and to');
    const zone = this.config.DEFAULT_TIMEZONE;
    const start = localDay(zone, query.from).start;
    const end = localDay(zone, query.to).end;
    if (end <= start) throw new AppError(400, 'INVALID_RANGE', '"to" must not be before "from"');
    if (end - start > (REFERRAL_RANGE_DAYS + 1) * DAY) throw new AppError(400, 'RANGE_TOO_LARGE', `Ask for at most ${REFERRAL_RANGE_DAYS} days at a time`);
    const outcome = query.outcome === undefined ? '' : query.outcome === 'none' ? "AND b.status = 'booked' AND b.outcome IS NULL" : 'AND b.outcome = $4';
    const rows: BookingRow[] = await this.dataSource.query(
      `${BOOKING_SELECT} WHERE b.organisation_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3 ${outcome} ORDER BY b.starts_at, b.id`,
      [organisationId, new Date(start), new Date(end), ...(outcome.includes('$4') ? [query.outcome] : [])],
    );
    return rows.map(bookingView);
  }

  /**
   * Locks the booking's adviser (and, moving it, the target's site and adviser), then the
   * booking row, and checks nobody moved it in between. A booking that has started is
   * history: it is not cancelled or moved, its attendance is recorded instead.
   */
  private async lockBooking(manager: EntityManager, principal: Principal, id: string, now: number, target?: { siteId: string; adviserId: string }): Promise<BookingRow> {
    const before = await this.read(manager, principal, id);
    if (before.status !== 'booked') throw new AppError(409, 'BOOKING_CANCELLED', 'The booking is cancelled');
    if (Date.parse(before.start) <= now) throw new AppError(409, 'BOOKING_STARTED', 'The booking has already started');
    if (target) await this.seats.lockForSeats(manager, [target.siteId], [before.adviserId, target.adviserId]);
    else await this.seats.lockAdvisers(manager, [before.adviserId]);
    const [row] = await manager.query(`${BOOKING_SELECT} WHERE b.id = $1 FOR UPDATE OF b`, [id]);
    if (row.status !== 'booked' || row.adviser_id !== before.adviserId) {
      throw new AppError(409, 'BOOKING_CHANGED', 'The booking changed while this request ran; read it again', undefined, { 'Retry-After': '1' });
    }
    return row;
  }

  /** `byTextReply`: the customer cancelled by texting, and the answer to their text is the word of it. */
  async cancel(principal: Principal, id: string, dto: CancelDto, now = this.clock.now(), options: { byTextReply?: boolean } = {}): Promise<BookingView> {
    const booking = await this.dataSource.transaction(async (manager) => {
      const row = await this.lockBooking(manager, principal, id, now);
      await manager.query(
        `UPDATE bookings SET status = 'cancelled', session_id = NULL, cancelled_by = $2, cancel_reason = $3, cancelled_at = $4, updated_at = now() WHERE id = $1`,
        [id, dto.by, dto.reason, new Date(now)],
      );
      await this.seats.dropIfEmpty(manager, row.session_id!, now);
      const version = await this.planner.withdraw(manager, id, 'cancelled');
      await this.planner.planCancellation(manager, { id, siteId: row.site_id, start: row.starts_at, zone: row.timezone }, version, now, options.byTextReply);
      await this.events.record(manager, { bookingId: id, kind: 'cancelled', at: now, actor: actorOf(principal), data: { by: dto.by, reason: dto.reason, start: row.starts_at.toISOString() } });
      return this.read(manager, principal, id);
    });
    this.relay.kick();
    return booking;
  }

  /**
   * Moves a booking to another slot in one transaction: its seat is given up and the new
   * one taken, and if the new one cannot be had, everything rolls back and the booking
   * stands as it was.
   */
  async reschedule(principal: Principal, id: string, dto: RescheduleDto, now = this.clock.now()): Promise<BookingView> {
    const booking = await this.dataSource.transaction(async (manager) => {
      const row = await this.lockBooking(manager, principal, id, now, await this.target(manager, principal, dto, now));
      const sameSlot = !dto.holdId && dto.adviserId === row.adviser_id && dto.siteId === row.site_id && dto.appointmentType === row.type_code && parseInstant(dto.start!) === row.starts_at.getTime();
      if (sameSlot) throw new AppError(409, 'SAME_SLOT', 'The booking is already in that slot');
      // Giving up the seat first lets a booking move within its own time, e.g. 30 minutes later.
      await manager.query(`UPDATE bookings SET status = 'cancelled', session_id = NULL, overbooked = false, overbook_policy_version = NULL, overbook_risk = NULL WHERE id = $1`, [id]);
      const seat = await this.seatFor(manager, principal, dto, id, now);
      await manager.query(
        `UPDATE bookings SET status = 'booked', session_id = $2, adviser_id = $3, site_id = $4, room_id = $5, appointment_type_id = $6,
                starts_at = $7, ends_at = $8, needs_rebooking = false, reschedule_count = reschedule_count + 1, arranged_at = $9, overbooked = $10, updated_at = now()
          WHERE id = $1`,
        [id, seat.sessionId, seat.adviserId, seat.siteId, seat.roomId, seat.appointmentTypeId, seat.start, seat.end, new Date(now), seat.extra],
      );
      await this.seats.dropIfEmpty(manager, row.session_id!, now);
      const version = await this.planner.withdraw(manager, id, 'superseded');
      await this.planner.plan(manager, { id, siteId: seat.siteId, start: seat.start, zone: seat.timezone }, version, now);
      await this.recordHeld(manager, principal, id, dto, seat);
      await this.events.record(manager, {
        bookingId: id,
        kind: 'rescheduled',
        at: now,
        actor: actorOf(principal),
        data: { from: { start: row.starts_at.toISOString(), siteId: row.site_id, adviserId: row.adviser_id }, to: { start: seat.start.toISOString(), siteId: seat.siteId, adviserId: seat.adviserId } },
        overbooked: seat.extra,
      });
      return this.read(manager, principal, id);
    });
    this.relay.kick();
    return booking;
  }
}
