import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new key: a fixed prefix that secret scanners can spot, then 256 random bits. */
export const newApiKey = (): string => `cbk_${randomBytes(32).toString('base64url')}`;

export const hashApiKey = (key: string): Buffer => createHash('sha256').update(key).digest();

export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(hashApiKey(a), hashApiKey(b));
}
