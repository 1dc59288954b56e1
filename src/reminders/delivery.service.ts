import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { BookingEvents, SYSTEM } from '../common/events/booking-events';
import { CustomerLinks } from '../common/links/customer-links';
import { Clock } from '../common/time/clock';
import { EmailChannel, SendOutcome, SmsChannel } from './channels/channel';
import { bookingCalendar } from './domain/calendar';
import { channelOrder, MessageChannel } from './domain/channels';
import { FAILURE_STATUSES, smsFailureKind } from './domain/delivery-status';
import { BookingFacts, messageValues } from './domain/message-values';
import { DEFAULT_REMINDER_POLICY, MessageStep, nextAllowedTime, ReminderPolicy } from './domain/reminder-plan';
import { smsSegments } from './domain/sms-segments';
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

const FINISHED = new Set(['sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded']);

/**
 * Sends one step of a booking's plan, at most once per channel. The message row is
 * committed before the provider is called; a worker that dies during the call leaves the
 * row behind, and whoever picks the job up next marks it 'unknown' rather than send again.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly domain: string;

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
  }

  async deliver(reminderId: string, now = this.clock.now()): Promise<DeliveryResult> {
    for (;;) {
      const next = await this.dataSource.transaction((manager) => this.claim(manager, reminderId, now));
      if (!('messageId' in next)) return next;
      const outcome = await this.send(next);
      const settled = await this.record(next, outcome);
      // Thrown only now that the claim's release has committed, for BullMQ to retry.
      if (settled === 'retry') throw new TransientSendError(`${next.channel} provider refused for now: ${!outcome.ok ? `${outcome.code ?? 'no code'} ${outcome.message}` : ''}`);
      if (settled !== 'next_channel') return { done: settled };
    }
  }

  /** Re-reads the booking and claims the next channel, or says why nothing goes. */
  private async claim(manager: EntityManager, reminderId: string, now: number): Promise<Claim | DeliveryResult> {
    // The booking first, shared: a cancellation or move under way finishes before we look.
    await manager.query('SELECT 1 FROM bookings WHERE id = (SELECT booking_id FROM reminders WHERE id = $1) FOR SHARE', [reminderId]);
    const [facts]: ReminderFacts[] = await manager.query(
      `SELECT r.id, r.status, r.version, r.step, r.booking_id, b.status AS booking_status, b.plan_version, b.needs_rebooking, b.starts_at, b.ends_at,
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
        WHERE r.id = $1
          FOR UPDATE OF r`,
      [reminderId],
    );
    if (!facts) return { done: 'missing' };
    if (FINISHED.has(facts.status)) return { done: facts.status };
    const finish = async (status: string, reason: string | null): Promise<DeliveryResult> => {
      await manager.query('UPDATE reminders SET status = $2, reason = $3, updated_at = now() WHERE id = $1', [reminderId, status, reason]);
      return { done: status };
    };
    if (facts.version !== facts.plan_version) return finish('superseded', null);
    const cancellation = facts.step === 'cancellation';
    if (facts.booking_status !== (cancellation ? 'cancelled' : 'booked')) return finish('cancelled', null);
    if (facts.needs_rebooking && !cancellation) return finish('skipped', 'NEEDS_REBOOKING');
    if (facts.starts_at.getTime() <= now) return finish('skipped', 'PASSED');

    // A job can come due in quiet hours when the queue was down or the worker behind.
    const allowed = nextAllowedTime(now, facts.timezone, facts.policy ?? DEFAULT_REMINDER_POLICY);
    if (allowed >= facts.starts_at.getTime()) return finish('skipped', 'AFTER_APPOINTMENT');
    if (allowed > now) return { deferUntil: allowed };

    const tried = facts.tried;
    if (tried.some((m) => m.status === 'sending')) {
      // Claimed by a worker that died before it heard back from the provider.
      await manager.query(`UPDATE messages SET status = 'unknown', updated_at = now() WHERE reminder_id = $1 AND status = 'sending'`, [reminderId]);
      return finish('unconfirmed', 'WORKER_LOST');
    }
    const channel = channelOrder({
      mobile: facts.mobile,
      email: facts.email,
      preferredChannel: facts.preferred_channel,
      consentToContact: facts.consent_to_contact,
      mobileInvalid: facts.mobile_invalid,
      smsOptedOut: facts.sms_opted_out,
    }).find((c) => !tried.some((m) => m.channel === c));
    if (!channel && tried.length) {
      await this.events.record(manager, { bookingId: facts.booking_id, kind: 'reminder_failed', at: now, actor: SYSTEM, data: { step: facts.step, reason: 'ALL_CHANNELS_FAILED' } });
      return finish('failed', 'ALL_CHANNELS_FAILED');
    }
    if (!channel) return finish('skipped', 'NO_CHANNEL');

    const template = facts.templates.find((t) => t.channel === channel) ?? builtInTemplate(facts.step, channel, facts.message_variant);
    const values = messageValues(this.bookingFacts(facts));
    const rendered = channel === 'sms' ? renderSms(template, values) : render(template.body, values);
    // Every reminder carries the free route; a cancellation notice has nothing left to act on.
    const { sent: body, stored } = cancellation ? { sent: rendered, stored: rendered } : await this.links.carry(manager, facts.booking_id, channel, rendered, now);
    const subject = template.subject === null ? null : render(template.subject, values);
    const recipient = channel === 'sms' ? facts.mobile! : facts.email!;
    const messageId = randomUUID();
    await manager.query(
      `WITH claimed AS (
         INSERT INTO messages (id, reminder_id, channel, recipient, variant, body, segments, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'sending') RETURNING reminder_id)
       UPDATE reminders SET status = 'sending', updated_at = now() WHERE id = (SELECT reminder_id FROM claimed)`,
      [messageId, reminderId, channel, recipient, facts.message_variant, stored, channel === 'sms' ? smsSegments(body).segments : null],
    );
    return { messageId, channel, recipient, facts, values, body, subject };
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
   * Stores what the provider said, in a transaction that locks the step before its message
   * as the claim and the status callback do, so that a callback arriving now waits instead
   * of deadlocking: one statement for the message and its step together, and when the
   * channel failed for good, the flag on the number as well.
   * Returns what became of the step, 'next_channel' to try the fallback, or 'retry'.
   */
  private record(claim: Claim, outcome: SendOutcome): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE', [claim.facts.id]);
      // `status` and `reason` are SQL over the changed message (`changed`), never caller input.
      const step = async (status: string, reason: string, messageChange: string, params: unknown[]): Promise<string> => {
        const [[settled]]: [{ status: string }[], number] = await manager.query(
          `WITH changed AS (${messageChange} RETURNING reminder_id, status)
           UPDATE reminders SET status = ${status}, reason = ${reason}, updated_at = now() FROM changed WHERE reminders.id = changed.reminder_id
           RETURNING reminders.status`,
          params,
        );
        return settled.status === 'planned' ? 'next_channel' : settled.status;
      };
      // Twilio can report a failure before it answers the send, while the step is still
      // 'sending' and the callback leaves it to us: whatever the answer, the next channel is tried.
      const failed = `changed.status IN (${FAILURE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
      if (outcome.ok) {
        // A status callback may have got here first; its status stands if it is further on.
        const settled = await step(`CASE WHEN ${failed} THEN 'planned' ELSE 'sent' END`, 'NULL',
          `UPDATE messages SET provider_id = $2, status = CASE WHEN status IN ('sending', 'unknown') THEN $3 ELSE status END, sent_at = now(), updated_at = now() WHERE id = $1`, [
          claim.messageId,
          outcome.providerId,
          outcome.status,
        ]);
        // Email has no delivery receipts: a server that took it is the best word there is.
        if (settled === 'sent') {
          const kind = claim.channel === 'email' ? 'reminder_delivered' : 'reminder_sent';
          await this.events.record(manager, { bookingId: claim.facts.booking_id, kind, at: this.clock.now(), actor: SYSTEM, data: { step: claim.facts.step, channel: claim.channel, messageId: claim.messageId } });
        }
        return settled;
      }
      if (outcome.kind === 'retry') {
        await step(`'planned'`, 'NULL', 'DELETE FROM messages WHERE id = $1', [claim.messageId]);
        return 'retry';
      }
      if (outcome.kind === 'unknown') {
        this.logger.warn(`${claim.channel} message ${claim.messageId}: the provider call broke off (${outcome.message}); it may have gone, so it is not sent again`);
        // A status callback that got here first has settled it already, and its error code stands.
        const unknown = `changed.status = 'unknown'`;
        return step(`CASE WHEN ${failed} THEN 'planned' WHEN ${unknown} THEN 'unconfirmed' ELSE 'sent' END`, `CASE WHEN ${unknown} THEN 'PROVIDER_CALL_BROKE_OFF' END`,
          `UPDATE messages SET status = CASE WHEN status = 'sending' THEN 'unknown' ELSE status END, error_code = coalesce(error_code, $2), error_message = coalesce(error_message, $3), updated_at = now() WHERE id = $1`, [
          claim.messageId,
          outcome.code,
          outcome.message,
        ]);
      }
      await manager.query(`UPDATE messages SET status = 'failed', error_code = $2, error_message = $3, updated_at = now() WHERE id = $1`, [claim.messageId, outcome.code, outcome.message]);
      if (claim.channel === 'sms') await flagMobile(manager, claim.facts.customer_id, claim.recipient, outcome.code);
      await manager.query(`UPDATE reminders SET status = 'planned', updated_at = now() WHERE id = $1`, [claim.facts.id]);
      return 'next_channel';
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
