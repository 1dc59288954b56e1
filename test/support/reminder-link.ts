import { DeliveryService } from '../../src/reminders/delivery.service';
import type { AppUnderTest } from './app';
import type { SmtpCapture } from './smtp-capture';
import type { TwilioStandIn } from './twilio-stand-in';

/** A personal link as a reminder carries it: PUBLIC_BASE_URL/b/<token>. */
export const LINK = /(https?:\/\/[^/\s]+)(\/b\/[A-Za-z0-9_-]{22})\b/;

/**
 * Sends a booking's confirmation as the worker would (for an app run without one), and
 * reads the link it carried from what the provider was given: the stand-in for SMS, the
 * capture for email.
 */
export async function sendConfirmation(
  e2e: AppUnderTest,
  providers: { twilio?: TwilioStandIn; smtp?: SmtpCapture },
  bookingId: string,
  now: number,
): Promise<{ url: string; path: string; text: string }> {
  const [reminder] = await e2e.db.query<{ id: string }>(
    `SELECT id FROM reminders WHERE booking_id = $1 AND step = 'confirmation' AND status = 'planned' ORDER BY version DESC LIMIT 1`,
    [bookingId],
  );
  const sms = providers.twilio?.received.length ?? 0;
  const email = providers.smtp?.messages.length ?? 0;
  const result = await e2e.app.app.get(DeliveryService).deliver(reminder.id, now);
  if (!('done' in result) || result.done !== 'sent') throw new Error(`The confirmation was not sent: ${JSON.stringify(result)}`);
  const text = providers.twilio && providers.twilio.received.length > sms ? providers.twilio.received[sms].body : (providers.smtp!.messages[email].text as string);
  const found = LINK.exec(text);
  if (!found) throw new Error(`No link in the reminder: ${text}`);
  return { url: found[0], path: found[2], text };
}
