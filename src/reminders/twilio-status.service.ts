import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { validateRequest } from 'twilio';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { publicUrl } from '../common/http/public-url';
import { BookingEvents, SYSTEM } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { flagMobile } from './delivery.service';
import { advanceStatus, DeliveryStatus, fromTwilioStatus, isDelivered, isFailure } from './domain/delivery-status';
import { OutboxRelay } from './outbox.relay';

/**
 * Twilio's status callbacks. They repeat and arrive out of order, so a status only moves
 * forward. A message that fails for good flags the number if it is bad, and puts the
 * step back in the outbox so that email is tried.
 */
@Injectable()
export class TwilioStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: BookingEvents,
  ) {}

  /**
   * Checks X-Twilio-Signature against the URL Twilio was given, rebuilt from PUBLIC_BASE_URL
   * (not the Host header) and the path and query this request reached the app with.
   */
  verify(signature: string | undefined, originalUrl: string, params: Record<string, string>): void {
    const token = this.config.TWILIO_AUTH_TOKEN;
    if (!token) throw new AppError(403, 'WEBHOOK_DISABLED', 'No TWILIO_AUTH_TOKEN is configured, so no callback can be verified');
    if (!signature) throw new AppError(403, 'SIGNATURE_MISSING', 'X-Twilio-Signature is missing');
    if (!validateRequest(token, signature, publicUrl(this.config, originalUrl), params)) throw new AppError(403, 'SIGNATURE_INVALID', 'X-Twilio-Signature does not match this request');
  }

  async apply(params: Record<string, string>, messageId: string | undefined): Promise<void> {
    const sid = params.MessageSid ?? params.SmsSid;
    const incoming = fromTwilioStatus(params.MessageStatus ?? params.SmsStatus ?? '');
    if (!sid || !incoming) throw new AppError(400, 'INVALID_CALLBACK', 'MessageSid and a known MessageStatus are required');
    const ours = messageId && isUUID(messageId) ? messageId.toLowerCase() : null;
    const errorCode = params.ErrorCode || null;
    const fallback = await this.dataSource.transaction(async (manager) => {
      // The step before its message, the order in which the worker claims and records: a
      // callback that arrives mid-send waits for the worker rather than deadlocking with it.
      // By our id when the worker died before it could store Twilio's sid.
      const [found]: { id: string }[] = await manager.query(
        `SELECT m.id FROM messages m JOIN reminders r ON r.id = m.reminder_id
          WHERE m.channel = 'sms' AND (m.provider_id = $1 OR (m.id = $2 AND m.provider_id IS NULL))
          ORDER BY m.provider_id NULLS LAST LIMIT 1
            FOR UPDATE OF r`,
        [sid, ours],
      );
      // Not one of ours (or long gone): acknowledged, so Twilio stops retrying.
      if (!found) return false;
      // Read once the step is ours: a worker may have recorded Twilio's answer meanwhile.
      const [message]: { id: string; status: DeliveryStatus; reminder_id: string; recipient: string; customer_id: string; booking_id: string; step: string }[] = await manager.query(
        `SELECT m.id, m.status, m.reminder_id, m.recipient, b.customer_id, r.booking_id, r.step
           FROM messages m JOIN reminders r ON r.id = m.reminder_id JOIN bookings b ON b.id = r.booking_id
          WHERE m.id = $1
            FOR UPDATE OF m`,
        [found.id],
      );
      const next = advanceStatus(message.status, incoming);
      await manager.query(
        `UPDATE messages SET status = $2, provider_id = coalesce(provider_id, $3), error_code = coalesce($4, error_code),
                sent_at = coalesce(sent_at, CASE WHEN $2 IN ('sent', 'delivered', 'read') THEN now() END), updated_at = now()
          WHERE id = $1`,
        [message.id, next, sid, next === message.status ? null : errorCode],
      );
      if (next === message.status) return false;
      if (!isFailure(next)) {
        await manager.query(`UPDATE reminders SET status = 'sent', reason = NULL, updated_at = now() WHERE id = $1 AND status = 'unconfirmed'`, [message.reminder_id]);
        if (isDelivered(next) && !isDelivered(message.status)) {
          await this.events.record(manager, { bookingId: message.booking_id, kind: 'reminder_delivered', at: this.clock.now(), actor: SYSTEM, data: { step: message.step, channel: 'sms', messageId: message.id } });
        }
        return false;
      }
      await flagMobile(manager, message.customer_id, message.recipient, errorCode);
      // A step still 'sending' is left to its worker, which finds the message failed when it
      // records Twilio's answer and tries the next channel itself.
      const [, count] = await manager.query(
        `UPDATE reminders SET status = 'planned', reason = 'SMS_FAILED', round = round + 1, relay = 'add', send_at = $2, updated_at = now()
          WHERE id = $1 AND status IN ('sent', 'unconfirmed')`,
        [message.reminder_id, this.clock.date()],
      );
      return count > 0;
    });
    if (fallback) this.relay.kick();
  }
}
