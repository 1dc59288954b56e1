import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BookingsService } from '../bookings/bookings.service';
import { Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { BookingEvent, BookingEvents } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { DAY, MINUTE } from '../common/time/local-time';
import { smsSegments } from '../reminders/domain/sms-segments';
import { reminderPolicy } from '../reminders/reminder-planner.service';
import { Candidate, FreedSlot, offerTiming, planRound, waitlistWording } from './domain/backfill';

// A reply is read as an answer to the last offer texted to its number for this long.
const ANSWER_KEPT_MS = DAY;
// How long a reply's claim on an offer may last: booking takes well under a second, and even
// waiting out a database connection (DB_CONNECT_TIMEOUT_MS) far less. A claim older than this
// was made by a process that died before it recorded the booking or gave the claim up.
const CLAIM_MS = 2 * MINUTE;
// An offer given back by a claim reopens until its round's texts lapse, as it would have stayed open.
const ROUND_DEADLINE = `coalesce((SELECT max(t.expires_at) FROM waitlist_offer_texts t WHERE t.offer_id = o.id AND t.round = o.round), $2::timestamptz)`;

interface OpenOffer extends FreedSlot {
  id: string;
  /** A seat released beside a booking that stands, taken as an extra; not the booking's own. */
  extra: boolean;
  siteName: string;
  zone: string;
  minNotice: number;
}

/** What a customer's reply to an offer got, for replies to text back and log. */
export interface WaitlistAnswer {
  outcome: 'waitlist_booked' | 'waitlist_gone' | 'waitlist_expired' | 'waitlist_not_offered';
  reply: string;
  bookingId?: string;
}

/**
 * Backfill: a seat freed by a cancellation or a move, or released by the site beside a
 * booking likely to be missed, is offered, in the transaction that frees it, to the few who
 * have waited longest for such a slot; the texts are an outbox
 * the dispatcher sends after commit. The first "1" to come back books it through the
 * bookings service, under its locks, so however the replies race, one booking is made.
 */
@Injectable()
export class BackfillService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: BookingEvents,
    private readonly bookings: BookingsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((manager, event) => this.freed(manager, event));
  }

  /**
   * The seat a cancellation or a move gave up, or one the site released beside a booking
   * (which keeps its own), offered if there is time to take it.
   */
  private async freed(manager: EntityManager, event: BookingEvent): Promise<void> {
    if (event.kind !== 'cancelled' && event.kind !== 'rescheduled' && event.kind !== 'released') return;
    const [booking] = await manager.query(
      `SELECT b.appointment_type_id, b.site_id, b.adviser_id, b.starts_at, b.needs_rebooking, b.overbooked, t.duration_minutes FROM bookings b JOIN appointment_types t ON t.id = b.appointment_type_id WHERE b.id = $1`,
      [event.bookingId],
    );
    // A booking a closure or absence covers frees nothing bookable, nor does an extra admitted beyond the session's seats.
    if (event.kind === 'cancelled' && (booking.needs_rebooking || booking.overbooked)) return;
    const from = event.kind === 'rescheduled' ? (event.data!.from as { start: string; siteId: string; adviserId: string }) : null;
    const start = from ? Date.parse(from.start) : booking.starts_at.getTime();
    const siteId = from?.siteId ?? booking.site_id;
    const [site] = await manager.query('SELECT name, timezone, min_notice_minutes FROM sites WHERE id = $1', [siteId]);
    const offer: OpenOffer = {
      id: randomUUID(),
      extra: event.kind === 'released',
      typeId: booking.appointment_type_id,
      siteId,
      start,
      end: start + booking.duration_minutes * 60_000,
      siteName: site.name,
      zone: site.timezone,
      minNotice: site.min_notice_minutes,
    };
    await manager.query(
      `INSERT INTO waitlist_offers (id, freed_booking_id, appointment_type_id, site_id, adviser_id, starts_at, ends_at, created_at, expires_at, round, status, extra)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0, 'open', $9)`,
      [offer.id, event.bookingId, offer.typeId, offer.siteId, from?.adviserId ?? booking.adviser_id, new Date(offer.start), new Date(offer.end), new Date(event.at), offer.extra],
    );
    await this.advance(manager, offer, 0, event.at);
  }

  /**
   * The offer's next round (see planRound): texts to the next few, written as the outbox,
   * with the round's expiry; or a later try when all it fits are answering other offers;
   * or closed, when it fits nobody left or is too near to take.
   */
  private async advance(manager: EntityManager, offer: OpenOffer, round: number, now: number): Promise<void> {
    const timing = offerTiming(now, offer.start, offer.minNotice, offer.zone, await reminderPolicy(manager, offer.siteId));
    const plan = timing && planRound(offer, await this.candidates(manager, offer, now), timing.sendAt);
    if (!plan) {
      await manager.query(`UPDATE waitlist_offers SET status = 'expired', closed_at = $2 WHERE id = $1`, [offer.id, new Date(now)]);
      return;
    }
    if ('retryAt' in plan) {
      await manager.query('UPDATE waitlist_offers SET expires_at = $2 WHERE id = $1', [offer.id, new Date(plan.retryAt)]);
      return;
    }
    const { sendAt, expiresAt } = timing!;
    const body = waitlistWording.offer(offer, expiresAt);
    await manager.query(
      `INSERT INTO waitlist_offer_texts (id, offer_id, entry_id, round, mobile, body, segments, created_at, send_at, expires_at, status, updated_at)
       SELECT x.id, $1, x.entry_id, $2, x.mobile, $3, $4, $5, $6, $7, 'queued', $5 FROM unnest($8::uuid[], $9::uuid[], $10::text[]) AS x(id, entry_id, mobile)`,
      [offer.id, round + 1, body, smsSegments(body).segments, new Date(now), new Date(sendAt), new Date(expiresAt), plan.ask.map(() => randomUUID()), plan.ask.map((e) => e.id), plan.ask.map((e) => e.mobile)],
    );
    await manager.query('UPDATE waitlist_offers SET round = $2, expires_at = $3 WHERE id = $1', [offer.id, round + 1, new Date(expiresAt)]);
  }

  /** Who may yet be asked about this offer: waiting for its type, not asked about it already, textable; and until when each is answering another. */
  private async candidates(manager: EntityManager, offer: OpenOffer, now: number): Promise<(Candidate & { mobile: string })[]> {
    const rows: { id: string; appointment_type_id: string; site_ids: string[]; earliest: Date; latest: Date; created_at: Date; mobile: string; busy_until: Date | null }[] = await manager.query(
      `SELECT e.id, e.appointment_type_id, e.site_ids, e.earliest, e.latest, e.created_at, e.mobile,
              (SELECT max(t.expires_at) FROM waitlist_offer_texts t JOIN waitlist_offers o ON o.id = t.offer_id
                WHERE t.entry_id = e.id AND o.status IN ('open', 'claimed') AND t.expires_at > $3) AS busy_until
         FROM waitlist_entries e
        WHERE e.status = 'waiting' AND e.appointment_type_id = $1
          AND NOT EXISTS (SELECT 1 FROM waitlist_offer_texts t WHERE t.entry_id = e.id AND t.offer_id = $2)
          -- A STOP is for the number, whoever's record it came in on.
          AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.mobile = e.mobile AND (c.sms_opted_out_at IS NOT NULL OR c.mobile_invalid_at IS NOT NULL))`,
      [offer.typeId, offer.id, new Date(now)],
    );
    return rows.map((r) => ({
      id: r.id,
      typeId: r.appointment_type_id,
      siteIds: r.site_ids,
      earliest: r.earliest.getTime(),
      latest: r.latest.getTime(),
      createdAt: r.created_at.getTime(),
      mobile: r.mobile,
      busyUntil: r.busy_until?.getTime() ?? null,
    }));
  }

  /**
   * Offers whose round has lapsed unanswered, or whose wait for busy customers is over, are
   * moved on (advance). One offer at a time, each in its own transaction, skipping any
   * another process is working on.
   */
  async nextRounds(now = this.clock.now()): Promise<number> {
    let moved = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        const [row] = await manager.query(
          `SELECT o.id, o.extra, o.appointment_type_id, o.site_id, o.starts_at, o.ends_at, o.round, s.name, s.timezone, s.min_notice_minutes
             FROM waitlist_offers o JOIN sites s ON s.id = o.site_id
            WHERE o.status = 'open' AND o.expires_at <= $1 ORDER BY o.expires_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED`,
          [new Date(now)],
        );
        if (!row) return true;
        const offer: OpenOffer = {
          id: row.id,
          extra: row.extra,
          typeId: row.appointment_type_id,
          siteId: row.site_id,
          start: row.starts_at.getTime(),
          end: row.ends_at.getTime(),
          siteName: row.name,
          zone: row.timezone,
          minNotice: row.min_notice_minutes,
        };
        await this.advance(manager, offer, row.round, now);
        moved++;
        return false;
      });
      if (done) return moved;
    }
  }

  /**
   * Offers left claimed by a reply whose process died mid-claim, once the claim's deadline
   * has passed. If its booking was made (the customer's, at the offer's time), the claim is
   * finished as take() would have; if not, the offer reopens until its round's texts lapse,
   * for the same customers (a retried reply, another's 1) to take or the round to move on.
   * Returns how many were recovered.
   */
  async recoverClaims(now = this.clock.now()): Promise<number> {
    let recovered = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (manager) => {
        const [claim] = await manager.query(
          `SELECT o.id, o.entry_id,
                  (SELECT b.id FROM bookings b JOIN customers c ON c.id = b.customer_id
                    WHERE b.adviser_id = o.adviser_id AND b.starts_at = o.starts_at AND b.status = 'booked'
                      AND c.client_id = e.client_id AND c.reference = e.customer->>'reference' LIMIT 1) AS booking_id
             FROM waitlist_offers o JOIN waitlist_entries e ON e.id = o.entry_id
            WHERE o.status = 'claimed' AND o.expires_at <= $1 ORDER BY o.expires_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED`,
          [new Date(now)],
        );
        if (!claim) return true;
        if (claim.booking_id) {
          await manager.query(`UPDATE waitlist_offers SET status = 'taken', booking_id = $2, closed_at = $3 WHERE id = $1`, [claim.id, claim.booking_id, new Date(now)]);
          await this.wakeWaiting(manager, now);
          await manager.query(`UPDATE waitlist_entries SET status = 'fulfilled', booking_id = $2, closed_at = $3 WHERE id = $1 AND status = 'waiting'`, [claim.entry_id, claim.booking_id, new Date(now)]);
          await manager.query(`UPDATE waitlist_offer_texts SET answer = 'won', answered_at = coalesce(answered_at, $3) WHERE offer_id = $1 AND entry_id = $2`, [claim.id, claim.entry_id, new Date(now)]);
        } else {
          await manager.query(`UPDATE waitlist_offers o SET status = 'open', entry_id = NULL, expires_at = ${ROUND_DEADLINE} WHERE id = $1`, [claim.id, new Date(now)]);
        }
        recovered++;
        return false;
      });
      if (done) return recovered;
    }
  }

  /** The last offer texted to this number (one not yet handed to the provider cannot have been read), if recent enough for a reply to be about it. */
  async latestText(sender: string, now: number): Promise<{ id: string; at: number } | null> {
    const [row] = await this.dataSource.query(
      `SELECT id, send_at FROM waitlist_offer_texts WHERE mobile = $1 AND send_at > $2 AND status IN ('sending', 'sent', 'unknown') ORDER BY send_at DESC, id LIMIT 1`,
      [sender, new Date(now - ANSWER_KEPT_MS)],
    );
    return row ? { id: row.id, at: row.send_at.getTime() } : null;
  }

  /**
   * A reply to an offer. The offer row is claimed first, so of two customers answering at
   * once only one goes on to book; the booking then goes through the bookings service
   * like any other, never beyond capacity, so a seat someone booked meanwhile is refused
   * rather than double-booked.
   */
  async take(textId: string, option: number, now: number): Promise<WaitlistAnswer> {
    const [t] = await this.dataSource.query(
      `SELECT t.offer_id, t.entry_id, t.expires_at, o.status AS offer_status, o.entry_id AS taker, o.booking_id, o.adviser_id, o.starts_at, o.extra, o.freed_booking_id,
              e.status AS entry_status, e.client_id, e.organisation_id, e.customer, e.referral, o.site_id, s.name AS site_name, s.timezone, ty.code
         FROM waitlist_offer_texts t
         JOIN waitlist_offers o ON o.id = t.offer_id
         JOIN waitlist_entries e ON e.id = t.entry_id
         JOIN sites s ON s.id = o.site_id
         JOIN appointment_types ty ON ty.id = o.appointment_type_id
        WHERE t.id = $1`,
      [textId],
    );
    const slot = { start: t.starts_at.getTime(), zone: t.timezone, siteName: t.site_name };
    // Theirs already: a repeated "1" is told so again.
    if (t.offer_status === 'taken' && t.taker === t.entry_id) return { outcome: 'waitlist_booked', reply: waitlistWording.booked(slot), bookingId: t.booking_id };
    if (option !== 1) return { outcome: 'waitlist_not_offered', reply: waitlistWording.onlyOne() };
    if (t.expires_at.getTime() <= now) return this.answered(textId, t.offer_status === 'open' || t.offer_status === 'expired' ? 'expired' : 'gone', now);
    // While claimed, expires_at is the claim's deadline (see recoverClaims).
    const [, claimed] = await this.dataSource.query(
      `UPDATE waitlist_offers SET status = 'claimed', entry_id = $2, expires_at = $4 WHERE id = $1 AND status = 'open' AND expires_at > $3
          AND EXISTS (SELECT 1 FROM waitlist_entries WHERE id = $2 AND status = 'waiting')`,
      [t.offer_id, t.entry_id, new Date(now), new Date(now + CLAIM_MS)],
    );
    if (!claimed) return this.answered(textId, 'gone', now);

    // The booking is the referrer's, as if their key had made it; a released seat is taken as the extra it is.
    const principal: Principal = { clientId: t.client_id, organisationId: t.organisation_id, scopes: new Set(['bookings:write']), admin: t.organisation_id === null };
    let bookingId: string;
    try {
      const { booking } = await this.bookings.book(
        principal,
        { appointmentType: t.code, siteId: t.site_id, adviserId: t.adviser_id, start: t.starts_at.toISOString(), allowOverbook: false, customer: t.customer, referral: t.referral },
        undefined,
        now,
        t.extra ? { releasedFrom: t.freed_booking_id } : {},
      );
      bookingId = booking.id;
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) {
        await this.dataSource.query(`UPDATE waitlist_offers o SET status = 'open', entry_id = NULL, expires_at = ${ROUND_DEADLINE} WHERE id = $1 AND status = 'claimed'`, [t.offer_id, new Date(now)]);
        throw error;
      }
      // Booked by someone else meanwhile, closed, or too near now: nobody can have it.
      await this.dataSource.transaction(async (manager) => {
        await manager.query(`UPDATE waitlist_offers SET status = 'lost', closed_at = $2 WHERE id = $1`, [t.offer_id, new Date(now)]);
        await this.wakeWaiting(manager, now);
      });
      return this.answered(textId, 'gone', now);
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE waitlist_offers SET status = 'taken', booking_id = $2, closed_at = $3 WHERE id = $1`, [t.offer_id, bookingId, new Date(now)]);
      await this.wakeWaiting(manager, now);
      await manager.query(`UPDATE waitlist_entries SET status = 'fulfilled', booking_id = $2, closed_at = $3 WHERE id = $1`, [t.entry_id, bookingId, new Date(now)]);
      await manager.query(`UPDATE waitlist_offer_texts SET answer = 'won', answered_at = $2 WHERE id = $1`, [textId, new Date(now)]);
    });
    return { outcome: 'waitlist_booked', reply: waitlistWording.booked(slot), bookingId };
  }

  /**
   * An offer closed: those asked about it are free for others. Offers that were waiting for
   * busy customers (open, no text out) are moved on at the dispatcher's next pass rather
   * than when the offers they waited on would have lapsed.
   */
  private async wakeWaiting(manager: EntityManager, now: number): Promise<void> {
    await manager.query(
      `UPDATE waitlist_offers o SET expires_at = $1 WHERE o.status = 'open' AND o.expires_at > $1
          AND NOT EXISTS (SELECT 1 FROM waitlist_offer_texts t WHERE t.offer_id = o.id AND t.expires_at > $1)`,
      [new Date(now)],
    );
  }

  private async answered(textId: string, answer: 'gone' | 'expired', now: number): Promise<WaitlistAnswer> {
    await this.dataSource.query('UPDATE waitlist_offer_texts SET answer = coalesce(answer, $2), answered_at = coalesce(answered_at, $3) WHERE id = $1', [textId, answer, new Date(now)]);
    return answer === 'gone' ? { outcome: 'waitlist_gone', reply: waitlistWording.gone() } : { outcome: 'waitlist_expired', reply: waitlistWording.expired() };
  }
}
