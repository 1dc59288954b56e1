import { createHash, timingSafeEqual } from 'node:crypto';
import { addDays, localDateOf, startOfLocalDay } from '../../common/time/local-time';

/**
 * A personal link's token: 16 random bytes (128 bits, far past guessing at any rate the
 * service answers) as 22 characters of base64url, which GSM-7 carries one septet each.
 */
export const TOKEN_BYTES = 16;
export const TOKEN_LENGTH = 22;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}$/;

/** The path a link opens, before PUBLIC_BASE_URL. */
export const LINK_PATH = '/b/';

export const tokenOf = (random: Buffer): string => {
  if (random.length !== TOKEN_BYTES) throw new RangeError(`A token is made of ${TOKEN_BYTES} random bytes`);
  return random.toString('base64url');
};

/** Whether `text` could be a token at all: anything else is answered as a wrong token is, without a look in the database. */
export const isTokenShaped = (text: string): boolean => TOKEN_SHAPE.test(text);

/**
 * What the database keeps of a token: its SHA-256. The token has 128 random bits, so a
 * fast hash with no salt leaves nothing to try from a copy of the table.
 */
export const tokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Compares two hashes in time that does not depend on where they differ. */
export const sameHash = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/**
 * When a link stops opening: the end of the appointment's local day, so that a customer
 * who is running late can still find where to go, and no later. Only the end is worked out:
 * luxon's zone arithmetic was 6 % of the reminder worker's CPU, once per message.
 */
export const linkExpiry = (start: number, zone: string): number => startOfLocalDay(zone, addDays(localDateOf(start, zone), 1));

/** The link as it is written into the stored copy of a message: the token masked, the length kept, so the log counts the same segments. */
export const maskToken = (text: string, token: string): string => text.split(token).join('*'.repeat(token.length));

/**
 * The line that carries the link, added to every reminder after its template (which
 * cannot leave it out). Short, since the SMS is paid by the segment: those with no credit
 * are the ones who need it.
 */
export function withLink(body: string, channel: 'sms' | 'email', url: string): string {
  if (channel === 'sms') return `${body} No credit? ${url}`;
  return `${body}\n\nConfirm, cancel or change this appointment for free, with no need to sign in: ${url}`;
}
