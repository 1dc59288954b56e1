import fc from 'fast-check';
import { csrfMatches, maskCsrf } from './csrf';

// Secrets as sessions.ts makes them: 32 random bytes in base64url.
const secrets = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const pads = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('masked CSRF tokens', () => {
  it('any masking of the secret is accepted, and none of them shows the secret', () => {
    fc.assert(
      fc.property(secrets, pads, (secret, pad) => {
        const token = maskCsrf(secret, pad);
        expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/);
        expect(token).not.toContain(secret);
        expect(csrfMatches({ csrfToken: secret }, token)).toBe(true);
      }),
    );
  });

  it('two pages carry different tokens for the same secret', () => {
    fc.assert(
      fc.property(secrets, (secret) => {
        const [first, second] = [maskCsrf(secret), maskCsrf(secret)];
        expect(first).not.toBe(second);
        expect([csrfMatches({ csrfToken: secret }, first), csrfMatches({ csrfToken: secret }, second)]).toEqual([true, true]);
      }),
    );
  });

  it('refuses a token with any one character changed', () => {
    fc.assert(
      fc.property(secrets, pads, fc.nat(), fc.nat(), (secret, pad, at, by) => {
        const token = maskCsrf(secret, pad);
        const i = at % token.length;
        const replacement = BASE64URL[(BASE64URL.indexOf(token[i]) + 1 + (by % (BASE64URL.length - 1))) % BASE64URL.length];
        expect(csrfMatches({ csrfToken: secret }, `${token.slice(0, i)}${replacement}${token.slice(i + 1)}`)).toBe(false);
      }),
    );
  });

  it('refuses a token with any bit of its bytes flipped', () => {
    fc.assert(
      fc.property(secrets, pads, fc.nat({ max: 64 * 8 - 1 }), (secret, pad, bit) => {
        const bytes = Buffer.from(maskCsrf(secret, pad), 'base64url');
        bytes[bit >> 3] ^= 1 << (bit & 7);
        expect(csrfMatches({ csrfToken: secret }, bytes.toString('base64url'))).toBe(false);
      }),
    );
  });

  it("refuses another session's token, however masked", () => {
    fc.assert(
      fc.property(secrets, secrets, pads, (secret, other, pad) => {
        fc.pre(secret !== other);
        expect(csrfMatches({ csrfToken: secret }, maskCsrf(other, pad))).toBe(false);
      }),
    );
  });

  it('refuses the secret itself, and anything malformed, without throwing', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    // A pad of 0xff bytes starts the token with '_', which base64 (not url) would spell '/'.
    const token = maskCsrf(secret, Buffer.alloc(32, 0xff));
    expect(csrfMatches({ csrfToken: secret }, token)).toBe(true);
    for (const sent of [secret, '', token.slice(1), `${token}A`, `${token}=`, token.replace(/_/g, '/'), `${token.slice(0, 85)}!`, undefined, null, 42, [token], { token }]) {
      expect(csrfMatches({ csrfToken: secret }, sent)).toBe(false);
    }
    // A session row with no usable secret matches nothing, not even an empty token.
    expect(csrfMatches({ csrfToken: '' }, '')).toBe(false);
    expect(csrfMatches({ csrfToken: 't' }, maskCsrf('t'))).toBe(false);
  });

  it('refuses whatever string is sent that is not a masking of the secret', () => {
    const secret = Buffer.alloc(32, 9).toString('base64url');
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (sent) => expect(csrfMatches({ csrfToken: secret }, sent)).toBe(false)));
  });
});
