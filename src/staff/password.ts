import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt from Node's standard library: memory-hard, so guessing on
 * GPUs and ASICs costs memory as well as time, and no native package to build. The cost is
 * OWASP's recommended minimum for scrypt (N = 2^17, r = 8, p = 1): 128 MiB and about half a
 * second a hash on one core of the CI machine. Staff sign in a few times a day, so the cost
 * falls on a guesser, not on them. The parameters are stored with each hash, so they can be
 * raised later without invalidating the hashes already made.
 */
const PARAMS = { N: 2 ** 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
// Each hash holds 128 * N * r bytes while it runs; at most this many run at once, so that a
// burst of sign-ins (or of guesses) cannot take the process's memory with it.
const MAX_CONCURRENT = 2;

let running = 0;
const waiting: (() => void)[] = [];

async function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem: 256 * params.N * params.r }, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const STORED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Whether `password` matches `stored`; false for a malformed or missing hash. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const match = stored ? STORED.exec(stored) : null;
  if (!match) {
    // Costs what a real check costs, so the time taken does not tell which accounts exist.
    await derive(password, randomBytes(SALT_BYTES), PARAMS);
    return false;
  }
  const [, N, r, p, salt, key] = match;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
