import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { escapeLiteral, type PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { BookingEvent, BookingEvents, SYSTEM } from '../common/events/booking-events';
import { CustomerLinks } from '../common/links/customer-links';
import { Clock } from '../common/time/clock';
import { EmailChannel, SendOutcome, SmsChannel } from './channels/channel';
import { bookingCalendar } from './domain/calendar';
import { MessageChannel } from './domain/channels';
import { FAILURE_STATUSES, smsFailureKind } from './domain/delivery-status';
import { Limiter } from './domain/limiter';
import { BookingFacts, messageValues } from './domain/message-values';
import { MessageStep, ReminderPolicy } from './domain/reminder-plan';
import { smsSegments } from './domain/sms-segments';
import { decideStep, StepFacts } from './domain/step-decision';
import { builtInTemplate, MessageValues, render, renderSms, Template, textToHtml } from './domain/templates';
import { POLICY_COLUMNS } from './reminder-planner.service';

/** A provider refused for now; the job is retried later with backoff. */
export class TransientSendError extends Error {}

export type DeliveryResult = { done: string } | { deferUntil: number };

interface ReminderFacts {
  id: string;
  status: string;
  version: number;
  step: MessageStep;
  booking_id: string;
  booking_status: string;
  plan_version: number;
  needs_rebooking: boolean;
  starts_at: Date;
  ends_at: Date;
  message_variant: string;
  appointment_type_id: string;
  site_id: string;
  customer_id: string;
  customer_name: string;
  mobile: string | null;
  email: string | null;
  preferred_channel: 'sms' | 'email' | 'none';
  consent_to_contact: boolean;
  mobile_invalid: boolean;
  sms_opted_out: boolean;
  adviser_name: string;
  type_name: string;
  description: string | null;
  what_to_bring: string | null;
  duration_minutes: number;
  site_name: string;
  address: string;
  postcode: string;
  timezone: string;
  policy: ReminderPolicy | null;
  tried: { channel: MessageChannel; status: string }[];
  templates: ({ channel: MessageChannel } & Template)[];
}

interface Claim {
  messageId: string;
  channel: MessageChannel;
  recipient: string;
  facts: ReminderFacts;
  values: MessageValues;
  body: string;
  subject: string | null;
}

/** What became of each step of a claim round: settled without sending, or claimed to send now. */
interface ClaimRound {
  decided: Map<string, DeliveryResult>;
  claims: Claim[];
}

// The statements a batch runs, prepared once per connection (see runPrepared).
const FAILED = `(${FAILURE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * The bookings first, shared: a cancellation or move under way finishes before we look. Then
 * the steps, in one order for every claimer. Two statements in one simple query, which
 * PostgreSQL runs one after the other (a CTE would not promise that order): one round trip.
 * Simple queries take no parameters, so the ids (checked to be UUIDs) are a literal.
 */
const lockStatements = (ids: string) =>
  `SELECT 1 FROM bookings WHERE id IN (SELECT booking_id FROM reminders WHERE id = ANY (${ids}::uuid[])) ORDER BY id FOR SHARE;
   SELECT 1 FROM reminders WHERE id = ANY (${ids}::uuid[]) ORDER BY id FOR UPDATE`;

/** Everything a claim decides on and renders from, for each step. */
const READ_STEPS: PreparedStatement = {
  name: 'reminders.read_steps',
  text: `SELECT r.id, r.status, r.version, r.step, r.booking_id, b.status AS booking_status, b.plan_version, b.needs_rebooking, b.starts_at, b.ends_at,
          b.message_variant, b.appointment_type_id, b.site_id, c.id AS customer_id, c.name AS customer_name, c.mobile, c.email,
          c.preferred_channel, c.consent_to_contact, c.mobile_invalid_at IS NOT NULL AS mobile_invalid,
          -- A STOP is for the phone, not one record: the same number on another customer (booked
          -- again under another reference, or by another organisation) is opted out too.
          EXISTS (SELECT 1 FROM customers o WHERE o.mobile = c.mobile AND o.sms_opted_out_at IS NOT NULL) AS sms_opted_out,
          a.name AS adviser_name, t.name AS type_name, t.description, t.what_to_bring, t.duration_minutes,
          s.name AS site_name, s.address, s.postcode, s.timezone,
          (SELECT row_to_json(p) FROM (SELECT ${POLICY_COLUMNS} FROM reminder_policies WHERE site_id = b.site_id) p) AS policy,
          (SELECT coalesce(json_agg(json_build_object('channel', m.channel, 'status', m.status)), '[]') FROM messages m WHERE m.reminder_id = r.id) AS tried,
          -- Saved templates for this step and variant, the site's own first.
          (SELECT coalesce(json_agg(json_build_object('channel', mt.channel, 'subject', mt.subject, 'body', mt.body) ORDER BY mt.site_id NULLS LAST), '[]')
             FROM message_templates mt
            WHERE mt.appointment_type_id = b.appointment_type_id AND (mt.site_id = b.site_id OR mt.site_id IS NULL)
              AND mt.step = r.step AND mt.variant = b.message_variant) AS templates
     FROM reminders r
     JOIN bookings b ON b.id = r.booking_id
     JOIN customers c ON c.id = b.customer_id
     JOIN advisers a ON a.id = b.adviser_id
     JOIN appointment_types t ON t.id = b.appointment_type_id
     JOIN sites s ON s.id = b.site_id
    WHERE r.id = ANY ($1::uuid[])`,
};

/** A batch's claims (a message row per step, the step 'sending'), its finished steps, and the messages of dead workers' claims. */
const CLAIM: PreparedStatement = {
  name: 'reminders.claim',
  text: `WITH lost AS (UPDATE messages SET status = 'unknown', updated_at = now() WHERE reminder_id = ANY ($1::uuid[]) AND status = 'sending'),
   claimed AS (
     INSERT INTO messages (id, reminder_id, channel, recipient, variant, body, segments, status)
     SELECT id, reminder_id, channel, recipient, variant, body, segments, 'sending'
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) AS m(id, reminder_id, channel, recipient, variant, body, segments)
     RETURNING reminder_id)
   UPDATE reminders r SET status = s.status, reason = CASE WHEN s.status = 'sending' THEN r.reason ELSE s.reason END, updated_at = now()
     FROM (SELECT reminder_id, 'sending', NULL FROM claimed UNION ALL SELECT * FROM unnest($9::uuid[], $10::text[], $11::text[])) AS s(id, status, reason)
    WHERE r.id = s.id`,
};

/**
 * Every outcome of a batch's sends. Each step is locked (in id order) before its message is
 * touched: the order of the claim and of the status callback.
 * ok: a status callback may have got here first; its status stands if it is further on.
 * unknown: a callback that got here first has settled it already, and its error code stands.
 * Twilio can report a failure before it answers the send, while the step is still 'sending'
 * and the callback leaves it to us: whatever the answer, the next channel is tried.
 */
const RECORD: PreparedStatement = {
  name: 'reminders.record_outcomes',
  text: `WITH locked AS (SELECT id FROM reminders WHERE id = ANY ($2::uuid[]) ORDER BY id FOR UPDATE),
    o AS (SELECT o.* FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS o(id, reminder_id, kind, provider_id, status, code, message)
            JOIN locked ON locked.id = o.reminder_id),
    dropped AS (DELETE FROM messages m USING o WHERE m.id = o.id AND o.kind = 'retry' RETURNING m.reminder_id, o.kind, m.status),
    changed AS (
      UPDATE messages m SET
        provider_id = CASE o.kind WHEN 'ok' THEN o.provider_id ELSE m.provider_id END,
        status = CASE o.kind WHEN 'ok' THEN CASE WHEN m.status IN ('sending', 'unknown') THEN o.status ELSE m.status END
                             WHEN 'unknown' THEN CASE WHEN m.status = 'sending' THEN 'unknown' ELSE m.status END
                             ELSE 'failed' END,
        sent_at = CASE o.kind WHEN 'ok' THEN now() ELSE m.sent_at END,
        error_code = CASE o.kind WHEN 'unknown' THEN coalesce(m.error_code, o.code) WHEN 'permanent' THEN o.code ELSE m.error_code END,
        error_message = CASE o.kind WHEN 'unknown' THEN coalesce(m.error_message, o.message) WHEN 'permanent' THEN o.message ELSE m.error_message END,
        updated_at = now()
        FROM o WHERE m.id = o.id AND o.kind <> 'retry'
      RETURNING m.reminder_id, o.kind, m.status),
    next AS (
      SELECT reminder_id, kind,
             CASE WHEN kind IN ('retry', 'permanent') OR status IN ${FAILED} THEN 'planned' WHEN kind = 'unknown' AND status = 'unknown' THEN 'unconfirmed' ELSE 'sent' END AS status
        FROM (SELECT * FROM changed UNION ALL SELECT * FROM dropped) c)
    UPDATE reminders r SET status = next.status,
           reason = CASE WHEN next.kind = 'permanent' THEN r.reason WHEN next.status = 'unconfirmed' THEN 'PROVIDER_CALL_BROKE_OFF' END, updated_at = now()
      FROM next WHERE r.id = next.reminder_id
    RETURNING r.id, r.status, next.kind`,
};

/**
 * Sends one step each of a batch of reminders, at most once per channel. The message rows
 * are committed before the provider is called; a worker that dies during the call leaves
 * its rows behind, and whoever picks a job up next marks the message 'unknown' rather than
 * send again. A batch costs the same dozen statements as one reminder did: one claim
 * transaction for all its steps, the sends side by side (at most SEND_CONCURRENCY in the
 * process at once), one transaction for their outcomes.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly domain: string;
  // Shared by every batch in the process: the provider sees SEND_CONCURRENCY calls at most.
  private readonly sends: Limiter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sms: SmsChannel,
    private readonly email: EmailChannel,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
    private readonly events: BookingEvents,
    private readonly links: CustomerLinks,
  ) {
    this.domain = new URL(config.PUBLIC_BASE_URL).hostname;
    this.sends = new Limiter(config.SEND_CONCURRENCY);
  }

  /** One step; a provider's refusal for now is thrown (TransientSendError), for BullMQ to retry. */
  async deliver(reminderId: string, now = this.clock.now()): Promise<DeliveryResult> {
    const [result] = await this.deliverAll([reminderId], now);
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }

  /**
   * Several steps at once, each answered as `deliver` would: rejected with a
   * TransientSendError when its provider refused for now. A step whose channel failed for
   * good goes round again with the next channel. Throws if the database fails the batch.
   */
  async deliverAll(reminderIds: string[], now = this.clock.now()): Promise<PromiseSettledResult<DeliveryResult>[]> {
    const results = new Map<string, PromiseSettledResult<DeliveryResult>>();
    // Job data that is not a step's id is no step, and must not fail the batch's statements.
    let due = [...new Set(reminderIds)].filter((id) => isUUID(id));
    while (due.length) {
      const round = await this.dataSource.transaction((manager) => this.claim(manager, due, now));
      round.decided.forEach((value, id) => results.set(id, { status: 'fulfilled', value }));
      const outcomes = await Promise.all(round.claims.map((claim) => this.sends.run(() => this.send(claim))));
      const settled = await this.record(round.claims, outcomes);
      due = [];
      round.claims.forEach((claim, i) => {
        const id = claim.facts.id;
        const outcome = outcomes[i];
        if (settled[i] === 'next_channel') due.push(id);
        // Rejected only now that the claim's release has committed.
        else if (settled[i] === 'retry') results.set(id, { status: 'rejected', reason: new TransientSendError(`${claim.channel} provider refused for now: ${!outcome.ok ? `${outcome.code ?? 'no code'} ${outcome.message}` : ''}`) });
        else results.set(id, { status: 'fulfilled', value: { done: settled[i] } });
      });
    }
    return reminderIds.map((id) => results.get(id) ?? { status: 'fulfilled', value: { done: 'missing' } });
  }

  /** Re-reads the bookings and claims each step's next channel, or settles why nothing goes. */
  private async claim(manager: EntityManager, reminderIds: string[], now: number): Promise<ClaimRound> {
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    await client.query(lockStatements(escapeLiteral(`{${reminderIds.join(',')}}`)));
    // Read in a statement of its own, after any wait for the locks: its snapshot then has the
    // messages of a claim that committed meanwhile.
    const rows = await runPrepared<ReminderFacts>(manager, READ_STEPS, [reminderIds]);

    const decided = new Map<string, DeliveryResult>();
    const finished: { id: string; status: string; reason: string | null }[] = [];
    const lost: string[] = [];
    const failed: ReminderFacts[] = [];
    const sending: { facts: ReminderFacts; channel: MessageChannel }[] = [];
    for (const facts of rows) {
      const decision = decideStep(this.stepFacts(facts), now);
      if ('settled' in decision) decided.set(facts.id, { done: decision.settled });
      else if ('deferUntil' in decision) decided.set(facts.id, { deferUntil: decision.deferUntil });
      else if ('send' in decision) sending.push({ facts, channel: decision.send });
      else {
        decided.set(facts.id, { done: decision.finish });
        finished.push({ id: facts.id, status: decision.finish, reason: decision.reason });
        if (decision.lost) lost.push(facts.id);
        if (decision.failedEvent) failed.push(facts);
      }
    }
    for (const f of failed) await this.events.record(manager, { bookingId: f.booking_id, kind: 'reminder_failed', at: now, actor: SYSTEM, data: { step: f.step, reason: 'ALL_CHANNELS_FAILED' } });

    const claims = await this.render(manager, sending, now);
    if (claims.length || finished.length) {
      await runPrepared(manager, CLAIM, [
          lost,
          claims.map((c) => c.messageId),
          claims.map((c) => c.facts.id),
          claims.map((c) => c.channel),
          claims.map((c) => c.recipient),
          claims.map((c) => c.facts.message_variant),
          claims.map((c) => c.stored),
          claims.map((c) => (c.channel === 'sms' ? smsSegments(c.body).segments : null)),
          finished.map((f) => f.id),
          finished.map((f) => f.status),
          finished.map((f) => f.reason),
      ]);
    }
    return { decided, claims };
  }

  private stepFacts(f: ReminderFacts): StepFacts {
    return {
      status: f.status,
      version: f.version,
      step: f.step,
      bookingStatus: f.booking_status,
      planVersion: f.plan_version,
      needsRebooking: f.needs_rebooking,
      start: f.starts_at.getTime(),
      zone: f.timezone,
      policy: f.policy,
      contact: {
        mobile: f.mobile,
        email: f.email,
        preferredChannel: f.preferred_channel,
        consentToContact: f.consent_to_contact,
        mobileInvalid: f.mobile_invalid,
        smsOptedOut: f.sms_opted_out,
      },
      tried: f.tried,
    };
  }

  /** Each claimed step's text, with its personal link (all of them in one statement). */
  private async render(manager: EntityManager, sending: { facts: ReminderFacts; channel: MessageChannel }[], now: number): Promise<(Claim & { stored: string })[]> {
    const drafts = sending.map(({ facts, channel }) => {
      const template = facts.templates.find((t) => t.channel === channel) ?? builtInTemplate(facts.step, channel, facts.message_variant);
      const values = messageValues(this.bookingFacts(facts));
      return {
        facts,
        channel,
        values,
        text: channel === 'sms' ? renderSms(template, values) : render(template.body, values),
        subject: template.subject === null ? null : render(template.subject, values),
      };
    });
    // Every reminder carries the free route; a cancellation notice has nothing left to act on.
    const linked = drafts.filter((d) => d.facts.step !== 'cancellation');
    const texts = await this.links.carry(
      manager,
      linked.map((d) => ({ bookingId: d.facts.booking_id, customerId: d.facts.customer_id, start: d.facts.starts_at.getTime(), zone: d.facts.timezone, channel: d.channel, body: d.text })),
      now,
    );
    return drafts.map((d) => {
      const i = linked.indexOf(d);
      const { sent, stored } = i < 0 ? { sent: d.text, stored: d.text } : texts[i];
      return {
        messageId: randomUUID(),
        channel: d.channel,
        recipient: d.channel === 'sms' ? d.facts.mobile! : d.facts.email!,
        facts: d.facts,
        values: d.values,
        body: sent,
        stored,
        subject: d.subject,
      };
    });
  }

  private bookingFacts(f: ReminderFacts): BookingFacts {
    return {
      customerName: f.customer_name,
      adviserName: f.adviser_name,
      appointmentName: f.type_name,
      description: f.description,
      whatToBring: f.what_to_bring,
      durationMinutes: f.duration_minutes,
      siteName: f.site_name,
      address: f.address,
      postcode: f.postcode,
      start: f.starts_at.getTime(),
      zone: f.timezone,
    };
  }

  private send(claim: Claim): Promise<SendOutcome> {
    if (claim.channel === 'sms') return this.sms.send({ messageId: claim.messageId, to: claim.recipient, body: claim.body });
    const { facts: f, values } = claim;
    const attach = f.step === 'confirmation' || f.step === 'cancellation';
    return this.email.send({
      messageId: claim.messageId,
      to: claim.recipient,
      subject: claim.subject!,
      text: claim.body,
      html: textToHtml(claim.body),
      calendar: attach
        ? bookingCalendar({
            bookingId: f.booking_id,
            sequence: f.version,
            cancelled: f.step === 'cancellation',
            start: f.starts_at.getTime(),
            end: f.ends_at.getTime(),
            summary: `${f.type_name} with ${f.adviser_name}, careers adviser`,
            description: `${values.description}\n\nWhat to bring: ${values.bring}`,
            location: `${f.site_name}, ${values.address}`,
            domain: this.domain,
          })
        : null,
    });
  }

  /**
   * Stores what the provider said, in one statement for the messages and their steps, which
   * locks each step before its message as the claim and the status callback do, so that a
   * callback arriving now waits instead of deadlocking; then, in the same transaction, the
   * flag on a number whose SMS failed for good, and the events of the steps sent.
   * Answers, for each claim, what became of its step: 'next_channel' to try the fallback,
   * 'retry' when the provider refused for now, or the step's status.
   */
  private async record(claims: Claim[], outcomes: SendOutcome[]): Promise<string[]> {
    if (!claims.length) return [];
    return this.dataSource.transaction(async (manager) => {
      const steps = await runPrepared<{ id: string; status: string; kind: string }>(manager, RECORD, [
        claims.map((c) => c.messageId),
        claims.map((c) => c.facts.id),
        outcomes.map((o) => (o.ok ? 'ok' : o.kind)),
        outcomes.map((o) => (o.ok ? o.providerId : null)),
        outcomes.map((o) => (o.ok ? o.status : null)),
        outcomes.map((o) => (o.ok ? null : o.code)),
        outcomes.map((o) => (o.ok ? null : o.message)),
      ]);
      const byId = new Map(steps.map((s) => [s.id, s]));
      const settled = claims.map((c) => {
        const step = byId.get(c.facts.id)!;
        return step.kind === 'retry' ? 'retry' : step.status === 'planned' ? 'next_channel' : step.status;
      });
      const events: BookingEvent[] = [];
      for (const [i, claim] of claims.entries()) {
        const outcome = outcomes[i];
        if (!outcome.ok && outcome.kind === 'unknown') this.logger.warn(`${claim.channel} message ${claim.messageId}: the provider call broke off (${outcome.message}); it may have gone, so it is not sent again`);
        if (!outcome.ok && outcome.kind === 'permanent' && claim.channel === 'sms') await flagMobile(manager, claim.facts.customer_id, claim.recipient, outcome.code);
        // Email has no delivery receipts: a server that took it is the best word there is.
        if (outcome.ok && settled[i] === 'sent') {
          const kind = claim.channel === 'email' ? 'reminder_delivered' : 'reminder_sent';
          events.push({ bookingId: claim.facts.booking_id, kind, at: this.clock.now(), actor: SYSTEM, data: { step: claim.facts.step, channel: claim.channel, messageId: claim.messageId } });
        }
      }
      await this.events.recordAll(manager, events);
      return settled;
    });
  }
}

/** Remembers what a permanent SMS failure says about the customer's number. */
export async function flagMobile(manager: Pick<EntityManager, 'query'>, customerId: string, mobile: string, code: string | null): Promise<void> {
  const kind = smsFailureKind(code);
  if (kind === 'other') return;
  const column = kind === 'invalid_number' ? 'mobile_invalid_at' : 'sms_opted_out_at';
  // Only while the number on file is the one that failed: a corrected number starts clean.
  await manager.query(`UPDATE customers SET ${column} = coalesce(${column}, now()), updated_at = now() WHERE id = $1 AND mobile = $2`, [customerId, mobile]);
}
