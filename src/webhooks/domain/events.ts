/**
 * Which booking changes partners are told about, and what they are told. Payloads are thin
 * (the Standard Webhooks specification's term): ids and what changed, never the customer's
 * name or contact details; a partner reads the rest with GET /v1/bookings/{id}.
 */

export const WEBHOOK_EVENT_TYPES = [
  'booking.created',
  'booking.rescheduled',
  'booking.cancelled',
  'booking.outcome_recorded',
  'reminder.failed',
  'customer.replied',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A booking event as src/common/events records it. */
export interface BookingChange {
  bookingId: string;
  kind: string;
  actorType: string;
  data: Record<string, unknown>;
}

export interface WebhookEventDraft {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

const pick = (data: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, data[k] ?? null]));

/**
 * The webhook events one booking change makes, in the order they are sent. A customer's
 * own answer that confirms, cancels or moves a booking (a reply to a text, or their booking
 * link: the only ways a customer changes one) is also a customer.replied, before its effect;
 * `via` says which where the change records it, else null.
 */
export function webhookEventsFor(change: BookingChange): WebhookEventDraft[] {
  const id = { bookingId: change.bookingId };
  const replied = (reply: 'confirm' | 'cancel' | 'move'): WebhookEventDraft => ({ type: 'customer.replied', data: { ...id, reply, via: change.data.via ?? null } });
  const byCustomer = change.actorType === 'customer';
  switch (change.kind) {
    case 'created':
      return [{ type: 'booking.created', data: { ...id, ...pick(change.data, ['start']) } }];
    case 'rescheduled':
      return [...(byCustomer ? [replied('move')] : []), { type: 'booking.rescheduled', data: { ...id, ...pick(change.data, ['from', 'to']) } }];
    case 'cancelled':
      return [...(byCustomer ? [replied('cancel')] : []), { type: 'booking.cancelled', data: { ...id, ...pick(change.data, ['start', 'by', 'reason']) } }];
    case 'outcome_recorded':
    case 'outcome_corrected':
      return [{ type: 'booking.outcome_recorded', data: { ...id, ...pick(change.data, ['outcome', 'previous']) } }];
    case 'reminder_failed':
      return [{ type: 'reminder.failed', data: { ...id, ...pick(change.data, ['step', 'reason']) } }];
    case 'customer_confirmed':
      return [replied('confirm')];
    default:
      return [];
  }
}

/** Standard Webhooks' webhook-id: the same on every attempt and replay of one event. No '.', which the signed content uses as its separator. */
export const webhookId = (eventId: string): string => `msg_${eventId.replace(/-/g, '')}`;

export interface StoredEvent {
  type: string;
  occurredAt: number;
  sequence: number;
  data: Record<string, unknown>;
}

/**
 * The body sent, the same bytes on every attempt. data.sequence rises with each event
 * about a booking, so a receiver can tell a late replay from news.
 */
export const webhookBody = (event: StoredEvent): string =>
  JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data: { ...event.data, sequence: event.sequence } });
