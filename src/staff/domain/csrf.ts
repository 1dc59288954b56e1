import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens as pages carry them: the session's secret is never written into a page as it
 * is, but masked afresh for every page (a random pad, the secret XOR the pad, base64url of
 * pad || xored: Rails' and Django's masked tokens). Pages are compressed (web/page-encoding.ts)
 * and echo what was typed; a secret whose bytes were the same in every page could be read
 * back from the compressed sizes of many pages (BREACH). Masked, no two pages share them.
 */

// The session's secret is a token of 32 random bytes, in base64url (sessions.ts).
const secretBytes = (secret: string) => Buffer.from(secret, 'base64url');

/** The secret masked with `pad` (a fresh random one unless given): what a page's forms carry. */
export function maskCsrf(secret: string, pad: Buffer = randomBytes(secretBytes(secret).length)): string {
  const bytes = secretBytes(secret);
  if (pad.length !== bytes.length) throw new RangeError('The pad is as long as the secret');
  const masked = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    masked[i] = pad[i];
    masked[bytes.length + i] = bytes[i] ^ pad[i];
  }
  return masked.toString('base64url');
}

/**
 * Whether a posted token is one of this session's masked secrets: unmasked, then compared in
 * constant time. Anything else (not a string, another length, another encoding of the same
 * bytes, an empty secret) is simply not a match.
 */
export function csrfMatches(session: { csrfToken: string }, sent: unknown): boolean {
  const bytes = secretBytes(session.csrfToken);
  if (bytes.length === 0 || typeof sent !== 'string' || sent.length !== Math.ceil((bytes.length * 2 * 4) / 3)) return false;
  const masked = Buffer.from(sent, 'base64url');
  // Node's decoder skips what is not base64url: only the one canonical spelling is the token.
  if (masked.length !== bytes.length * 2 || masked.toString('base64url') !== sent) return false;
  const unmasked = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) unmasked[i] = masked[i] ^ masked[bytes.length + i];
  return timingSafeEqual(unmasked, bytes);
}
