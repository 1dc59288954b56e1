import fc from 'fast-check';
import { expiryProblem, keyStatus, LAST_USED_RESOLUTION_MS, lastUseDue } from './key-lifecycle';

const NOW = Date.parse('2027-03-01T10:00:00Z');
const instant = fc.integer({ min: NOW - 365 * 86_400_000, max: NOW + 365 * 86_400_000 });

describe('keyStatus', () => {
  it('a key with no expiry and no revocation is active whenever asked', () => {
    fc.assert(fc.property(instant, (now) => keyStatus({ expiresAt: null, revokedAt: null }, now) === 'active'));
  });

  it('an unrevoked key is active up to its expiry, and expired from that instant on', () => {
    fc.assert(
      fc.property(instant, instant, (expiresAt, now) => {
        expect(keyStatus({ expiresAt, revokedAt: null }, now)).toBe(now < expiresAt ? 'active' : 'expired');
      }),
    );
    expect(keyStatus({ expiresAt: NOW, revokedAt: null }, NOW - 1)).toBe('active');
    expect(keyStatus({ expiresAt: NOW, revokedAt: null }, NOW)).toBe('expired');
  });

  it('a revoked key is revoked, whatever its expiry and whenever asked', () => {
    fc.assert(fc.property(fc.option(instant, { nil: null }), instant, instant, (expiresAt, revokedAt, now) => keyStatus({ expiresAt, revokedAt }, now) === 'revoked'));
  });
});

describe('expiryProblem', () => {
  it('refuses an expiry at or before now, and takes any later one', () => {
    fc.assert(fc.property(instant, instant, (expiresAt, now) => (expiryProblem(expiresAt, now) === null) === expiresAt > now));
    expect(expiryProblem(NOW, NOW)).toBe('EXPIRY_IN_PAST');
    expect(expiryProblem(NOW + 1, NOW)).toBeNull();
  });
});

describe('lastUseDue', () => {
  it('writes the first use, then no more than once a minute however often the key is used', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * LAST_USED_RESOLUTION_MS }), { minLength: 1, maxLength: 200 }), (offsets) => {
        const uses = [...offsets].sort((a, b) => a - b).map((o) => NOW + o);
        const written: number[] = [];
        for (const use of uses) if (lastUseDue(written.at(-1), use)) written.push(use);
        expect(written[0]).toBe(uses[0]);
        for (let i = 1; i < written.length; i++) expect(written[i] - written[i - 1]).toBeGreaterThanOrEqual(LAST_USED_RESOLUTION_MS);
        // And no use goes unwritten for longer than that: each use is within a minute after a written one.
        for (const use of uses) expect(use - written.filter((w) => w <= use).at(-1)!).toBeLessThan(LAST_USED_RESOLUTION_MS);
      }),
    );
  });
});
