/**
 * Lock-out after repeated failed sign-ins: an account with `MAX_FAILURES` failures within
 * `WINDOW_MS` is locked until the oldest of them leaves the window. Per account rather than
 * per address, since staff share jobcentre PCs and their addresses; the price is that
 * anybody can lock an account for a quarter of an hour by guessing, which a service desk
 * can live with better than with guessed passwords.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

/** When the account unlocks, given the instants of its recent failures; null if it is not locked. */
export function lockedUntil(failures: readonly number[], now: number): number | null {
  const recent = failures.filter((at) => at > now - WINDOW_MS && at <= now).sort((a, b) => b - a);
  if (recent.length < MAX_FAILURES) return null;
  // The fifth most recent failure is the one whose ageing out brings the count below the limit.
  return recent[MAX_FAILURES - 1] + WINDOW_MS;
}
