import { DateTime } from 'luxon';
import { smsSegments, toGsm } from '../../reminders/domain/sms-segments';
import { CHOICE_LETTERS, Intent, MAX_OPTIONS, Verb } from './intents';

/** The National Careers Service's helpline: free from mobiles too, so no reply route needs credit. */
export const HELPLINE = '0800 100 900';

/** An upcoming booking of the sender's number, as a reply names it. */
export interface UpcomingBooking {
  id: string;
  siteId: string;
  siteName: string;
  start: number;
  zone: string;
}

/** The letters a previous reply offered, and the bookings they stood for. */
export type Choices = Record<string, string>;

export type Decision =
  | { action: Verb; booking: UpcomingBooking }
  /** Several bookings and no way to tell which: ask, naming each with a letter. */
  | { action: 'ask'; verb: Verb; offered: UpcomingBooking[] }
  /** A letter that names no booking still upcoming (cancelled meanwhile, or never offered). */
  | { action: 'gone'; verb: Verb }
  | { action: 'no_booking'; verb: Verb };

/**
 * Which booking a confirmation, cancellation or move is about: the only upcoming one, or
 * the one a letter names from the choices last offered to this number. Never a guess: with
 * two or more and no usable letter, the customer is asked.
 */
export function decide(verb: Verb, choice: string | null, upcoming: readonly UpcomingBooking[], offered: Choices | null): Decision {
  if (!upcoming.length) return { action: 'no_booking', verb };
  if (choice && offered) {
    // A letter means what it meant when it was offered, even if the list has changed since.
    const id = Object.hasOwn(offered, choice) ? offered[choice] : undefined;
    const booking = upcoming.find((b) => b.id === id);
    if (booking) return { action: verb, booking };
    return upcoming.length === 1 && !id ? { action: verb, booking: upcoming[0] } : { action: 'gone', verb };
  }
  if (upcoming.length === 1) return { action: verb, booking: upcoming[0] };
  return { action: 'ask', verb, offered: upcoming.slice(0, CHOICE_LETTERS.length) };
}

/** The letters a question offers, to be read back when the answer comes. */
export const choicesOf = (offered: readonly UpcomingBooking[]): Choices => Object.fromEntries(offered.map((b, i) => [CHOICE_LETTERS[i], b.id]));

/** A time offered to move to, held for the customer under `holdId`. */
export interface OfferedSlot {
  holdId: string;
  start: number;
  zone: string;
  siteName: string;
}

/**
 * The times to offer someone moving `current`: the earliest free ones, each start once
 * (two advisers free at 10:00 are one choice to a customer), never the time they have.
 */
export function slotsToOffer<S extends { start: number }>(free: readonly S[], current: number, max = MAX_OPTIONS): S[] {
  const chosen: S[] = [];
  for (const slot of [...free].sort((a, b) => a.start - b.start)) {
    if (chosen.length === max) break;
    if (slot.start !== current && !chosen.some((c) => c.start === slot.start)) chosen.push(slot);
  }
  return chosen;
}

const numbers = (count: number): string => (count === 1 ? '1' : `${Array.from({ length: count - 1 }, (_, i) => i + 1).join(', ')} or ${count}`);

// Site names cut so that a reply naming two bookings stays in one segment.
const SITE_LIMIT = 24;

export function site(name: string): string {
  const plain = toGsm(name.replace(/\s+/g, ' ').trim());
  return plain.length <= SITE_LIMIT ? plain : `${plain.slice(0, SITE_LIMIT - 3).trimEnd()}...`;
}

/** "Mon 4 Jan 10:00", on the site's clock. */
export const when = (b: Pick<UpcomingBooking, 'start' | 'zone'>): string => DateTime.fromMillis(b.start, { zone: b.zone }).toFormat('ccc d LLL HH:mm');

const KEYWORD: Record<Verb, string> = { confirm: 'YES', cancel: 'NO', move: 'MOVE' };

export const OPTIONS = `Reply YES to confirm, NO to cancel, MOVE to change it, or call ${HELPLINE} (free).`;

/** What the service texts back. Each fits one GSM-7 segment with the longest values it can hold, except a question naming three or four bookings. */
export const wording = {
  confirmed: (b: UpcomingBooking) => `Thank you. Your appointment on ${when(b)} at ${site(b.siteName)} is confirmed. See you then.`,
  cancelled: (b: UpcomingBooking) => `Your appointment on ${when(b)} at ${site(b.siteName)} is cancelled. For a new one ask your work coach or call ${HELPLINE} (free).`,
  moveRequested: (b: UpcomingBooking) => `Thanks. Someone will contact you about a new time. Until then your appointment on ${when(b)} stays booked.`,
  notChanged: () => `That appointment can no longer be changed by text. Please call ${HELPLINE} (free).`,
  ask: (verb: Verb, offered: readonly UpcomingBooking[]) =>
    `You have ${offered.length} appointments. Reply ${offered.map((b, i) => `${KEYWORD[verb]} ${CHOICE_LETTERS[i]} for ${when(b)} at ${site(b.siteName)}`).join(', ')}.`,
  gone: () => `That appointment is no longer booked. Reply YES, NO or MOVE again and we will list what is, or call ${HELPLINE} (free).`,
  noBooking: () => `We can't find an upcoming appointment for this number to change. Please call ${HELPLINE} (free) if you need help.`,
  unknownNumber: () => `Sorry, we can't find an appointment for this number. Please ask whoever booked it, or call ${HELPLINE} (free).`,
  notUnderstood: () => `Sorry, we didn't understand. ${OPTIONS}`,
  noOptions: () => `We have no times waiting for your choice. ${OPTIONS}`,
  offer: (options: readonly OfferedSlot[], current: UpcomingBooking) =>
    `Reply ${options.map((o, i) => `${i + 1} for ${when(o)}`).join(', ')} at ${site(options[0].siteName)}. Until you reply, ${when(current)} stays booked.`,
  moved: (o: OfferedSlot) => `Done. Your appointment is now on ${when(o)} at ${site(o.siteName)}. Reply NO if you can't come.`,
  taken: () => `Sorry, that time has just gone and your appointment has not changed. Reply MOVE for other times, or call ${HELPLINE} (free).`,
  notOffered: (count: number) => `Please reply ${numbers(count)} for one of the times we sent, or call ${HELPLINE} (free).`,
  stopped: () => 'You will get no more texts from us. Your appointments still stand. Reply START to get texts again.',
  started: () => 'You will get texts about your appointments again. Reply STOP to stop them or HELP for help.',
  help: () => `National Careers Service appointment texts. Reply YES to confirm, NO to cancel, MOVE to change, STOP to stop. Free helpline ${HELPLINE}.`,
} as const;

/** Segments a reply costs, for the message log. */
export const replySegments = (text: string): number => smsSegments(text).segments;

/** Which verb a bare intent carries; pick, stop, start, help and unknown are not about one booking. */
export const verbOf = (intent: Intent): Verb | null => (intent.kind === 'confirm' || intent.kind === 'cancel' || intent.kind === 'move' ? intent.kind : null);
