/** What we know of a message, from our own claim to the provider's last word. */
export const DELIVERY_STATUSES = ['sending', 'unknown', 'accepted', 'queued', 'sent', 'delivered', 'read', 'undelivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

// Later stages outrank earlier ones. Final outcomes share a rank, so whichever arrives
// first stands and a late duplicate cannot flip it.
const RANK: Record<DeliveryStatus, number> = {
  sending: 0,
  unknown: 0,
  accepted: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  read: 5,
};

/**
 * The status after a callback: callbacks repeat and arrive out of order (Twilio may post
 * "sent" after "delivered"), so a status only ever moves forward.
 */
export function advanceStatus(current: DeliveryStatus, incoming: DeliveryStatus): DeliveryStatus {
  return RANK[incoming] > RANK[current] ? incoming : current;
}

/** Final outcomes that mean the message did not reach the customer. */
export const FAILURE_STATUSES: readonly DeliveryStatus[] = ['undelivered', 'failed'];

export const isFailure = (status: DeliveryStatus): boolean => FAILURE_STATUSES.includes(status);

/** The handset has it: what the show probability counts as a reminder that reached the customer. */
export const isDelivered = (status: DeliveryStatus): boolean => status === 'delivered' || status === 'read';

/** Twilio's MessageStatus values mapped onto ours; inbound and unknown values give null. */
export function fromTwilioStatus(raw: string): DeliveryStatus | null {
  switch (raw) {
    case 'accepted':
    case 'scheduled':
      return 'accepted';
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
    case 'delivered':
    case 'read':
    case 'undelivered':
    case 'failed':
      return raw;
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

/**
 * Twilio error codes that say the number itself is no good (not a mobile, does not exist):
 * the customer's mobile is flagged so it is not tried again.
 * https://www.twilio.com/docs/api/errors
 */
const INVALID_NUMBER_CODES = new Set(['21211', '21217', '21614', '30005', '30006']);
/** The recipient texted STOP to our number. */
const OPTED_OUT_CODES = new Set(['21610']);

export type SmsFailureKind = 'invalid_number' | 'opted_out' | 'other';

export function smsFailureKind(code: string | null): SmsFailureKind {
  if (code && INVALID_NUMBER_CODES.has(code)) return 'invalid_number';
  if (code && OPTED_OUT_CODES.has(code)) return 'opted_out';
  return 'other';
}
