import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import parsePhoneNumber from 'libphonenumber-js/max';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { DAY } from '../common/time/local-time';
import { BackfillService } from '../waitlist/backfill.service';
import { CustomerActions } from './customer-actions';
import { choicesOf, Choices, decide, OfferedSlot, replySegments, UpcomingBooking, verbOf, wording } from './domain/conversation';
import { CarrierKeyword, parseReply, ParsedReply } from './domain/intents';

// Twilio answers a webhook that takes 15 s as failed and may try again: a repeat arriving
// while the first is still being handled waits this long for its answer.
const REPEAT_WAIT_MS = 5_000;
// A message claimed this long ago with no answer was being handled by a process that died.
const STALE_CLAIM_MS = 60_000;
// Letters offered to a number are read back for this long.
const CHOICES_KEPT_MS = 14 * DAY;
// A number picked from the times a MOVE offered is read back for this long.
const OFFER_KEPT_MS = DAY;

type FollowUpReason = 'not_understood' | 'move_requested' | 'unanswerable';

interface Inbound {
  id: string;
  sender: string;
  parsed: ParsedReply;
  /** Twilio's OptOutType: sent only by a Messaging Service with Advanced Opt-Out, whose keywords the operator may have changed. */
  optOutType: CarrierKeyword | null;
}

/** What a reply leads to, worked out before anything is written. */
interface Plan {
  outcome: string;
  reply: string;
  optOut?: 'out' | 'in';
  confirm?: UpcomingBooking;
  cancel?: UpcomingBooking;
  /** New times to find and hold for this booking. */
  offer?: UpcomingBooking;
  /** The times held, once they are. */
  options?: { bookingId: string; slots: OfferedSlot[] };
  /** A time picked from an earlier offer. */
  pick?: { offerId: string; bookingId: string; slot: OfferedSlot; others: string[] };
  /** An answer to a freed slot offered from the waitlist. */
  waitlist?: { textId: string; option: number };
  bookingId?: string;
  choices?: Choices;
  followUps: { siteId: string; bookingId: string | null; reason: FollowUpReason }[];
}

/** E.164 as customers.mobile holds it; whatever else Twilio sends (a short code, an alphanumeric id) matches nobody. */
function senderOf(from: string): string {
  const parsed = parsePhoneNumber(from, 'GB');
  return parsed?.isValid() ? parsed.number : from.trim();
}

/**
 * Customers' SMS replies to their reminders: confirm, cancel, ask to move, opt out or in,
 * or ask for help. Each message is handled once, however often Twilio delivers it.
 */
@Injectable()
export class RepliesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actions: CustomerActions,
    private readonly clock: Clock,
    private readonly backfill: BackfillService,
  ) {}

  /** The text to answer with. */
  async receive(params: Record<string, string>): Promise<string> {
    const sid = params.MessageSid ?? params.SmsSid;
    const from = params.From;
    if (!sid || sid.length > 64 || !from || from.length > 64) throw new AppError(400, 'INVALID_CALLBACK', 'MessageSid and From are required');
    // Twilio's limit; a longer body cannot come from Twilio. PostgreSQL's text takes no NUL.
    const body = (params.Body ?? '').replace(/\0/g, '').slice(0, 1600);
    const optOutType = ['STOP', 'START', 'HELP'].includes(params.OptOutType) ? (params.OptOutType as CarrierKeyword) : null;
    const inbound = { id: randomUUID(), sender: senderOf(from.replace(/\0/g, '')), parsed: parseReply(body), optOutType };
    const now = this.clock.now();
    const claimed = await this.dataSource.query(
      `INSERT INTO inbound_messages (id, message_sid, sender, body, intent, received_at, claimed_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (message_sid) DO NOTHING RETURNING id`,
      [inbound.id, sid, inbound.sender, body, inbound.parsed.intent.kind, new Date(now)],
    );
    if (!claimed.length) return this.repeat(sid, inbound);
    return this.handle(inbound, now);
  }

  /** A message seen before: its answer, once the request handling it has one. */
  private async repeat(sid: string, inbound: Inbound): Promise<string> {
    const deadline = Date.now() + REPEAT_WAIT_MS;
    for (;;) {
      const now = this.clock.now();
      const [row]: { id: string; reply: string | null }[] = await this.dataSource.query('SELECT id, reply FROM inbound_messages WHERE message_sid = $1', [sid]);
      if (row.reply !== null) return row.reply;
      const [, taken] = await this.dataSource.query(
        'UPDATE inbound_messages SET claimed_at = $2 WHERE id = $1 AND reply IS NULL AND claimed_at < $3',
        [row.id, new Date(now), new Date(now - STALE_CLAIM_MS)],
      );
      if (taken) return this.handle({ ...inbound, id: row.id }, now);
      if (Date.now() > deadline) throw new AppError(409, 'REPLY_IN_PROGRESS', 'This message is still being handled', undefined, { 'Retry-After': '1' });
      await sleep(100);
    }
  }

  private async handle(inbound: Inbound, now: number): Promise<string> {
    const plan = await this.plan(inbound, now);
    if (plan.cancel) await this.cancel(plan, plan.cancel, now);
    if (plan.offer) await this.offer(plan, plan.offer, now);
    if (plan.pick) await this.move(plan, plan.pick, now);
    if (plan.waitlist) Object.assign(plan, await this.backfill.take(plan.waitlist.textId, plan.waitlist.option, now));
    await this.dataSource.transaction(async (manager) => {
      if (plan.optOut) await this.optOut(manager, inbound.sender, plan.optOut, now);
      if (plan.pick && plan.outcome === 'moved') await manager.query('UPDATE inbound_messages SET options_taken_at = $2 WHERE id = $1', [plan.pick.offerId, new Date(now)]);
      if (plan.confirm && !(await this.actions.confirm(manager, plan.confirm, { via: 'sms', inboundMessageId: inbound.id }, now))) {
        Object.assign(plan, { outcome: 'not_changed', reply: wording.notChanged() });
      }
      for (const f of plan.followUps) {
        await manager.query(
          `INSERT INTO follow_ups (id, inbound_message_id, site_id, booking_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (inbound_message_id, site_id) DO NOTHING`,
          [randomUUID(), inbound.id, f.siteId, f.bookingId, f.reason, new Date(now)],
        );
      }
      await manager.query(
        `UPDATE inbound_messages SET outcome = $2, reply = $3, reply_segments = $4, booking_id = $5, choices = $6, options = $7, handled_at = $8 WHERE id = $1`,
        [inbound.id, plan.outcome, plan.reply, replySegments(plan.reply), plan.bookingId ?? null, plan.choices ?? null, plan.options ?? null, new Date(now)],
      );
    });
    return plan.reply;
  }

  private async plan(inbound: Inbound, now: number): Promise<Plan> {
    const { intent, carrierKeyword } = inbound.parsed;
    // What Twilio did to the number: opted it out (a bare CANCEL too) or back in (a bare YES
    // too), and will keep to whatever we decide. Mirrored, so that our record matches what
    // Twilio will deliver.
    const carrier = inbound.optOutType ?? carrierKeyword;
    const optOut: Plan['optOut'] = intent.kind === 'stop' || carrier === 'STOP' ? 'out' : intent.kind === 'start' || carrier === 'START' ? 'in' : undefined;
    const base = { optOut, followUps: [] };
    if (intent.kind === 'stop') return { ...base, outcome: 'opted_out', reply: wording.stopped() };
    if (intent.kind === 'start') return { ...base, outcome: 'opted_in', reply: wording.started() };
    if (intent.kind === 'help') return { ...base, outcome: 'help', reply: wording.help() };

    if (intent.kind === 'pick') {
      const offer = await this.latestOffer(inbound.sender, now);
      // A number answers the last thing offered to it: new times for its booking, or a freed slot it waited for.
      const freed = await this.backfill.latestText(inbound.sender, now);
      if (freed && (!offer || freed.at > offer.at)) return { ...base, outcome: 'waitlist', reply: '', waitlist: { textId: freed.id, option: intent.option } };
      if (offer) {
        const slot = offer.options.slots[intent.option - 1];
        if (!slot) return { ...base, outcome: 'not_offered', reply: wording.notOffered(offer.options.slots.length) };
        const others = offer.options.slots.filter((o) => o !== slot).map((o) => o.holdId);
        return { ...base, outcome: 'moved', reply: wording.moved(slot), bookingId: offer.options.bookingId, pick: { offerId: offer.id, bookingId: offer.options.bookingId, slot, others } };
      }
    }

    const upcoming: UpcomingBooking[] = (
      await this.dataSource.query(
        `SELECT b.id, b.site_id, b.starts_at, s.name AS site_name, s.timezone
           FROM customers c JOIN bookings b ON b.customer_id = c.id JOIN sites s ON s.id = b.site_id
          WHERE c.mobile = $1 AND b.status = 'booked' AND b.starts_at > $2
          ORDER BY b.starts_at, b.id`,
        [inbound.sender, new Date(now)],
      )
    ).map((r: { id: string; site_id: string; starts_at: Date; site_name: string; timezone: string }) => ({ id: r.id, siteId: r.site_id, siteName: r.site_name, start: r.starts_at.getTime(), zone: r.timezone }));

    // With no booking it could confirm, a YES answers the freed slot just offered: people say yes to "Reply 1".
    if (intent.kind === 'confirm' && !upcoming.length) {
      const freed = await this.backfill.latestText(inbound.sender, now);
      if (freed) return { ...base, outcome: 'waitlist', reply: '', waitlist: { textId: freed.id, option: 1 } };
    }

    const verb = verbOf(intent);
    if (!verb) {
      const sites = await this.followUpSites(inbound.sender, upcoming);
      if (!sites.length) return { ...base, outcome: 'unknown_number', reply: wording.unknownNumber() };
      return {
        ...base,
        outcome: 'follow_up',
        reply: intent.kind === 'pick' ? wording.noOptions() : wording.notUnderstood(),
        followUps: sites.map((s) => ({ ...s, reason: 'not_understood' as const })),
      };
    }

    const decision = decide(verb, 'choice' in intent ? intent.choice : null, upcoming, await this.offered(inbound.sender, now));
    switch (decision.action) {
      case 'confirm':
        return { ...base, outcome: 'confirmed', reply: wording.confirmed(decision.booking), confirm: decision.booking, bookingId: decision.booking.id };
      case 'cancel':
        return { ...base, outcome: 'cancelled', reply: wording.cancelled(decision.booking), cancel: decision.booking, bookingId: decision.booking.id };
      case 'move':
        return { ...base, outcome: 'offered', reply: '', offer: decision.booking, bookingId: decision.booking.id };
      case 'ask':
        return {
          ...base,
          outcome: 'asked',
          reply: wording.ask(decision.verb, decision.offered),
          choices: choicesOf(decision.offered),
          // Twilio delivers nothing to a number that has just opted out: a person must ask.
          followUps: optOut === 'out' ? this.bySite(decision.offered).map((s) => ({ ...s, reason: 'unanswerable' as const })) : [],
        };
      case 'gone':
        return { ...base, outcome: 'gone', reply: wording.gone() };
      case 'no_booking': {
        const known = (await this.followUpSites(inbound.sender, upcoming)).length > 0;
        return { ...base, outcome: known ? 'no_booking' : 'unknown_number', reply: known ? wording.noBooking() : wording.unknownNumber() };
      }
    }
  }

  /** The times last offered to this number and not yet taken, if recently enough to answer. */
  private async latestOffer(sender: string, now: number): Promise<{ id: string; at: number; options: NonNullable<Plan['options']> } | null> {
    const [row] = await this.dataSource.query(
      `SELECT id, options, options_taken_at, received_at FROM inbound_messages WHERE sender = $1 AND options IS NOT NULL AND received_at > $2 ORDER BY received_at DESC, handled_at DESC LIMIT 1`,
      [sender, new Date(now - OFFER_KEPT_MS)],
    );
    return row && !row.options_taken_at ? { id: row.id, at: row.received_at.getTime(), options: row.options } : null;
  }

  /** Up to three held times to move to; none free, or none could be held: a person is asked to find one instead. */
  private async offer(plan: Plan, booking: UpcomingBooking, now: number): Promise<void> {
    const slots = await this.actions.offer(booking, now);
    if (slots.length) {
      Object.assign(plan, { reply: wording.offer(slots, booking), options: { bookingId: booking.id, slots } });
      return;
    }
    Object.assign(plan, {
      outcome: 'follow_up',
      reply: wording.moveRequested(booking),
      followUps: [{ siteId: booking.siteId, bookingId: booking.id, reason: 'move_requested' }],
    });
  }

  private async move(plan: Plan, pick: NonNullable<Plan['pick']>, now: number): Promise<void> {
    if (!(await this.actions.move(pick.bookingId, pick.slot, pick.others, now))) Object.assign(plan, { outcome: 'not_changed', reply: wording.taken() });
  }

  /** The letters last offered to this number, if recently enough to answer. */
  private async offered(sender: string, now: number): Promise<Choices | null> {
    const [row] = await this.dataSource.query(
      `SELECT choices FROM inbound_messages WHERE sender = $1 AND choices IS NOT NULL AND received_at > $2 ORDER BY received_at DESC, handled_at DESC LIMIT 1`,
      [sender, new Date(now - CHOICES_KEPT_MS)],
    );
    return row?.choices ?? null;
  }

  /** The first upcoming booking at each site. */
  private bySite(bookings: readonly UpcomingBooking[]): { siteId: string; bookingId: string }[] {
    const first = new Map<string, string>();
    for (const b of bookings) if (!first.has(b.siteId)) first.set(b.siteId, b.id);
    return [...first].map(([siteId, bookingId]) => ({ siteId, bookingId }));
  }

  /** Where a person should see a reply: the sites of the sender's upcoming bookings, or of their last one. */
  private async followUpSites(sender: string, upcoming: readonly UpcomingBooking[]): Promise<{ siteId: string; bookingId: string }[]> {
    if (upcoming.length) return this.bySite(upcoming);
    const [last] = await this.dataSource.query(
      `SELECT b.id, b.site_id FROM customers c JOIN bookings b ON b.customer_id = c.id WHERE c.mobile = $1 ORDER BY b.starts_at DESC, b.id LIMIT 1`,
      [sender],
    );
    return last ? [{ siteId: last.site_id, bookingId: last.id }] : [];
  }

  private async cancel(plan: Plan, booking: UpcomingBooking, now: number): Promise<void> {
    if (!(await this.actions.cancel(booking.id, 'Replied to a reminder by text', 'sms', now))) Object.assign(plan, { outcome: 'not_changed', reply: wording.notChanged() });
  }

  /** Every customer on the number: a STOP is for the phone, not for one booking. */
  private async optOut(manager: EntityManager, sender: string, direction: 'out' | 'in', now: number): Promise<void> {
    if (direction === 'out') {
      await manager.query('UPDATE customers SET sms_opted_out_at = coalesce(sms_opted_out_at, $2), updated_at = now() WHERE mobile = $1', [sender, new Date(now)]);
    } else {
      await manager.query('UPDATE customers SET sms_opted_out_at = NULL, updated_at = now() WHERE mobile = $1 AND sms_opted_out_at IS NOT NULL', [sender]);
    }
  }
}
