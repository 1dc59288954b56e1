import fc from 'fast-check';
import { DISABLE_AFTER_MS, disableReason, MAX_ATTEMPTS, RETRY_DELAYS_MS, retryDelay } from './retries';

const HOUR = 3_600_000;

describe('retry schedule', () => {
  it("is the specification's example: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after the first attempt", () => {
    expect(RETRY_DELAYS_MS.map((ms) => ms / 1000)).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(MAX_ATTEMPTS).toBe(10);
  });

  it('keeps trying for more than 24 hours (about 75), even with every delay jittered to its shortest', () => {
    const total = (random: number) => Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelay({ attemptsMade: i + 1, random })).reduce((a, b) => a + b, 0);
    expect(total(0)).toBeGreaterThan(24 * HOUR);
    expect(total(0)).toBeGreaterThan(67 * HOUR);
    expect(total(0.999999)).toBeLessThan(84 * HOUR);
  });

  it('grows with each attempt (for the same draw) and stays within 10% of the schedule', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ATTEMPTS - 1 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attemptsMade, random) => {
        const delay = retryDelay({ attemptsMade, random });
        const base = RETRY_DELAYS_MS[attemptsMade - 1];
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.1));
        if (attemptsMade < MAX_ATTEMPTS - 1) expect(retryDelay({ attemptsMade: attemptsMade + 1, random })).toBeGreaterThan(retryDelay({ attemptsMade, random }));
      }),
    );
  });

  it("waits at least as long as the receiver's Retry-After, up to a day", () => {
    expect(retryDelay({ attemptsMade: 1, random: 0.5, retryAfterMs: 60_000 })).toBe(60_000);
    expect(retryDelay({ attemptsMade: 4, random: 0.5, retryAfterMs: 60_000 })).toBe(2 * HOUR);
    expect(retryDelay({ attemptsMade: 1, random: 0.5, retryAfterMs: 30 * 24 * HOUR })).toBe(24 * HOUR);
  });

  it('is scaled down whole for tests', () => {
    expect(retryDelay({ attemptsMade: 2, random: 0.5, scale: 0.001 })).toBe(300);
  });
});

describe('disableReason', () => {
  const start = Date.parse('2027-01-04T09:00:00Z');

  it('keeps an endpoint that has been failing for less than three days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DISABLE_AFTER_MS - 1 }), fc.constantFrom(null, 500, 404, 302, 429), (elapsed, statusCode) => {
        expect(disableReason({ failingSince: start, now: start + elapsed, statusCode })).toBeNull();
      }),
    );
  });

  it('disables one whose every attempt has failed for three days, and says so', () => {
    expect(disableReason({ failingSince: start, now: start + DISABLE_AFTER_MS, statusCode: 500 })).toBe(
      'Every attempt failed for 3 days, from 2027-01-04T09:00:00.000Z to 2027-01-07T09:00:00.000Z',
    );
    expect(disableReason({ failingSince: start, now: start + DISABLE_AFTER_MS + 5 * HOUR, statusCode: null })).toMatch(/^Every attempt failed for 3 days/);
  });

  it('disables at once one that answers 410 Gone', () => {
    expect(disableReason({ failingSince: start, now: start, statusCode: 410 })).toMatch(/410 Gone/);
  });
});
