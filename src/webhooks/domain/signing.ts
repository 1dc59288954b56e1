import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (HMAC-SHA256 over "<id>.<timestamp>.<body>"), by the
 * specification's own JavaScript library. During a rotation's overlap every secret in force
 * signs, space-separated in one webhook-signature header, so a receiver verifying with the
 * old secret or the new one accepts it.
 */

/** A new endpoint secret in the specification's form: whsec_ and 32 random bytes in base64 (it asks for 24 to 64). */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for one attempt; `at` is the attempt's time, not the event's. */
export function signedHeaders(secrets: readonly string[], id: string, at: number, body: string): SignedHeaders {
  const timestamp = new Date(Math.floor(at / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' '),
  };
}

/** The secrets that sign at `now`: the current one, and the previous one while its overlap lasts. */
export const signingSecrets = (current: string, previous: string | null, previousUntil: number | null, now: number): string[] =>
  previous && previousUntil !== null && previousUntil > now ? [current, previous] : [current];
