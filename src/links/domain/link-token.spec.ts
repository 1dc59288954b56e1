import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { smsSegments } from '../../reminders/domain/sms-segments';
import { isTokenShaped, linkExpiry, maskToken, sameHash, TOKEN_BYTES, TOKEN_LENGTH, tokenHash, tokenOf, withLink } from './link-token';

describe('link tokens', () => {
  it('are 128 random bits as 22 base64url characters, each one GSM-7 septet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: TOKEN_BYTES, maxLength: TOKEN_BYTES }), (bytes) => {
        const token = tokenOf(Buffer.from(bytes));
        expect(token).toHaveLength(TOKEN_LENGTH);
        expect(isTokenShaped(token)).toBe(true);
        expect(Buffer.from(token, 'base64url').equals(Buffer.from(bytes))).toBe(true);
        expect(smsSegments(token)).toEqual({ encoding: 'GSM-7', segments: 1, units: TOKEN_LENGTH });
      }),
    );
    expect(TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(() => tokenOf(randomBytes(8))).toThrow(RangeError);
  });

  it('refuses anything not shaped like one, before any look-up', () => {
    for (const text of ['', 'short', `${'A'.repeat(21)}=`, `${'A'.repeat(21)}/`, 'A'.repeat(23), `${'A'.repeat(21)} `, '../../etc/passwd', `${'A'.repeat(21)}é`]) {
      expect(isTokenShaped(text)).toBe(false);
    }
  });

  it('are kept as a SHA-256 that differs for every token and reveals none of it', () => {
    const token = tokenOf(randomBytes(TOKEN_BYTES));
    const hash = tokenHash(token);
    expect(hash).toHaveLength(32);
    expect(hash.toString('hex')).not.toContain(Buffer.from(token).toString('hex'));
    expect(sameHash(hash, tokenHash(token))).toBe(true);
    fc.assert(
      fc.property(fc.string({ minLength: 22, maxLength: 22 }), (other) => {
        fc.pre(other !== token);
        expect(sameHash(hash, tokenHash(other))).toBe(false);
      }),
    );
    expect(sameHash(hash, hash.subarray(0, 16))).toBe(false);
  });

  it('mask the token in the stored copy of a message, keeping its length and so its segments', () => {
    const token = tokenOf(randomBytes(TOKEN_BYTES));
    const sent = withLink('Reminder: careers guidance, Monday 4 January 9:30am.', 'sms', `https://ncs.example/b/${token}`);
    const stored = maskToken(sent, token);
    expect(stored).not.toContain(token);
    expect(stored).toBe(`Reminder: careers guidance, Monday 4 January 9:30am. No credit? https://ncs.example/b/${'*'.repeat(22)}`);
    expect(smsSegments(stored)).toEqual(smsSegments(sent));
  });

  it('go after every template, by SMS in a few septets, by email with words', () => {
    expect(withLink('Body.', 'sms', 'http://x/b/t')).toBe('Body. No credit? http://x/b/t');
    expect(withLink('Body.', 'email', 'http://x/b/t')).toMatch(/^Body\.\n\nConfirm, cancel or change this appointment for free.*: http:\/\/x\/b\/t$/);
  });
});

describe('link expiry', () => {
  it("is the end of the appointment's local day in London, across the clock changes", () => {
    // Winter (GMT): ends at midnight UTC.
    expect(new Date(linkExpiry(Date.parse('2027-01-04T09:30:00Z'), 'Europe/London')).toISOString()).toBe('2027-01-05T00:00:00.000Z');
    // Summer (BST): 23:30 UTC is already the next local day.
    expect(new Date(linkExpiry(Date.parse('2027-06-01T23:30:00Z'), 'Europe/London')).toISOString()).toBe('2027-06-02T23:00:00.000Z');
    // The day the clocks go forward is 23 hours long.
    expect(new Date(linkExpiry(Date.parse('2027-03-28T10:00:00Z'), 'Europe/London')).toISOString()).toBe('2027-03-28T23:00:00.000Z');
  });

  it('is always after the start, and less than a day and an hour after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), (start) => {
        const expiry = linkExpiry(start, 'Europe/London');
        expect(expiry).toBeGreaterThan(start);
        expect(expiry - start).toBeLessThanOrEqual(25 * 3_600_000);
      }),
    );
  });
});
