/**
 * When a failed webhook is tried again, and when an endpoint that keeps failing is given up
 * on. The schedule is the one the Standard Webhooks specification gives as an example: after
 * the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, about 75 hours
 * in all, each delay within 10% either way so that retries of many deliveries spread out.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The pause before each retry: the nth entry follows the nth failed attempt. */
export const RETRY_DELAYS_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

/** Attempts a delivery gets before it is given up as failed (its owner may still replay it). */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

const JITTER = 0.1;
// A receiver's Retry-After is honoured, but it may not park a delivery for longer than this.
const MAX_RETRY_AFTER_MS = DAY;

export interface RetryInput {
  /** Attempts made so far (1 after the first). */
  attemptsMade: number;
  /** What the receiver asked for (Retry-After on a 429 or 503), if anything. */
  retryAfterMs?: number | null;
  /** A number in [0, 1). */
  random: number;
  /** 1 in production; tests shrink the schedule. */
  scale?: number;
}

/** Milliseconds before the next attempt. */
export function retryDelay({ attemptsMade, retryAfterMs, random, scale = 1 }: RetryInput): number {
  const base = RETRY_DELAYS_MS[Math.min(Math.max(attemptsMade, 1), RETRY_DELAYS_MS.length) - 1];
  const jittered = base * (1 - JITTER + 2 * JITTER * random);
  const asked = retryAfterMs ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  return Math.round(Math.max(jittered, asked) * scale);
}

/** An endpoint all of whose attempts have failed for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * DAY;

export interface FailedAttempt {
  /** The first failed attempt since the endpoint's last success (this one, if none before). */
  failingSince: number;
  now: number;
  statusCode: number | null;
}

/**
 * Why an endpoint must be disabled after this failed attempt, or null if it keeps going:
 * 410 Gone says the receiver wants no more (as the specification advises), and three days
 * of nothing but failures means nobody is listening.
 */
export function disableReason({ failingSince, now, statusCode }: FailedAttempt): string | null {
  if (statusCode === 410) return 'The endpoint answered 410 Gone: it asked for no more webhooks';
  if (now - failingSince >= DISABLE_AFTER_MS) {
    const days = Math.floor((now - failingSince) / DAY);
    return `Every attempt failed for ${days} days, from ${new Date(failingSince).toISOString()} to ${new Date(now).toISOString()}`;
  }
  return null;
}
