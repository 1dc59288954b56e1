import { MINUTE } from '../time/local-time';

/** The rules of an API key's life, apart from storage: when it stops working, and when its use is worth writing down. */

export const KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export interface KeyLife {
  /** Instants (ms), or null for never. */
  expiresAt: number | null;
  revokedAt: number | null;
}

/** A revoked key says so even after it would have expired: revocation is the owner's act and the better answer to give. */
export function keyStatus(key: KeyLife, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** An expiry must lie ahead: a key made already expired is a mistake, not a wish. */
export const expiryProblem = (expiresAt: number, now: number): 'EXPIRY_IN_PAST' | null => (expiresAt <= now ? 'EXPIRY_IN_PAST' : null);

// lastUsedAt is for a person deciding which keys are idle: to the minute is enough, and a
// write per request would put a row lock on the booking path of a busy key.
export const LAST_USED_RESOLUTION_MS = MINUTE;

/** Whether a use at `now` should be written, when this key's use was last written at `writtenAt`. */
export const lastUseDue = (writtenAt: number | undefined, now: number): boolean => writtenAt === undefined || now - writtenAt >= LAST_USED_RESOLUTION_MS;
