import { lockedUntil, MAX_FAILURES, WINDOW_MS } from './lockout';

const MIN = 60_000;
const now = Date.parse('2026-11-30T12:00:00Z');

describe('lockedUntil', () => {
  it('lets an account with fewer than five recent failures try again', () => {
    expect(lockedUntil([now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN], now)).toBeNull();
  });

  it('locks on the fifth failure within 15 minutes, until the oldest of them is 15 minutes old', () => {
    const failures = [now - 10 * MIN, now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now];
    expect(lockedUntil(failures, now)).toBe(now - 10 * MIN + WINDOW_MS);
  });

  it('forgets failures older than the window', () => {
    const failures = [now - 16 * MIN, now - 15 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN];
    expect(lockedUntil(failures, now)).toBeNull();
  });

  it('with many failures, stays locked until only four are left in the window', () => {
    const failures = Array.from({ length: 8 }, (_, i) => now - i * MIN);
    expect(failures).toHaveLength(MAX_FAILURES + 3);
    expect(lockedUntil(failures, now)).toBe(now - 4 * MIN + WINDOW_MS);
  });
});
