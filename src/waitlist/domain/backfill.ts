import { DateTime } from 'luxon';
import { HELPLINE, site, when } from '../../replies/domain/conversation';
import { DAY, MINUTE } from '../../common/time/local-time';
import { nextAllowedTime, ReminderPolicy } from '../../reminders/domain/reminder-plan';

/** A seat given up by a cancellation or a move, to be offered to those waiting. */
export interface FreedSlot {
  typeId: string;
  siteId: string;
  start: number;
  end: number;
}

/** A customer on the waiting list, as matching sees them. */
export interface WaitingEntry {
  id: string;
  typeId: string;
  siteIds: readonly string[];
  earliest: number;
  latest: number;
  createdAt: number;
}

/** How many customers one round of an offer goes to: enough that someone answers, few enough that most who answer get it. */
export const OFFER_BATCH = 3;
/** How long a customer has to answer an offer, at most. */
export const OFFER_TTL_MS = 2 * 60 * MINUTE;
// Less time than this to answer is no real offer: the slot is left to ordinary booking.
export const MIN_ANSWER_MS = 10 * MINUTE;
/** The longest window a customer may wait for. */
export const MAX_WINDOW_DAYS = 60;

/** Whether the slot is one the customer asked for: their type, one of their sites, wholly inside their window. */
export const fits = (slot: FreedSlot, entry: WaitingEntry): boolean =>
  entry.typeId === slot.typeId && entry.siteIds.includes(slot.siteId) && entry.earliest <= slot.start && slot.end <= entry.latest;

/**
 * Who is offered a freed slot in one round: those it fits, longest waiting first (ties by
 * id, so every process picks the same), at most `max`.
 */
export function chooseRecipients<E extends WaitingEntry>(slot: FreedSlot, entries: readonly E[], max = OFFER_BATCH): E[] {
  return entries
    .filter((e) => fits(slot, e))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, max);
}

/** A customer on the list, and until when they are answering another offer (null: they are not). */
export interface Candidate extends WaitingEntry {
  busyUntil: number | null;
}

/**
 * What a round of an offer going out at `at` does: ask the few `chooseRecipients` picks
 * among those free; or, when everyone it fits is answering another offer, try again when
 * the first of those offers lapses (one of them may be turned down or go unanswered); or
 * nothing, when it fits nobody.
 */
export function planRound<E extends Candidate>(slot: FreedSlot, candidates: readonly E[], at: number): { ask: E[] } | { retryAt: number } | null {
  const fitting = candidates.filter((e) => fits(slot, e));
  const free = fitting.filter((e) => e.busyUntil === null || e.busyUntil <= at);
  if (free.length) return { ask: chooseRecipients(slot, free) };
  return fitting.length ? { retryAt: Math.min(...fitting.map((e) => e.busyUntil!)) } : null;
}

/**
 * When an offer made at `now` lapses: after OFFER_TTL_MS, or earlier so that whoever takes
 * it is still booking outside the site's minimum notice. Null when that leaves too little
 * time to answer.
 */
export function offerExpiry(now: number, slotStart: number, minNoticeMinutes: number): number | null {
  const expires = Math.min(now + OFFER_TTL_MS, slotStart - minNoticeMinutes * MINUTE);
  return expires - now >= MIN_ANSWER_MS ? expires : null;
}

/**
 * When an offer's texts go and when it lapses: at once, or when the site's quiet hours for
 * texts end (a slot freed at midnight is offered in the morning, its two hours counted from
 * then). Null when that leaves too little time to answer.
 */
export function offerTiming(now: number, slotStart: number, minNoticeMinutes: number, zone: string, quiet: ReminderPolicy): { sendAt: number; expiresAt: number } | null {
  const sendAt = nextAllowedTime(now, zone, quiet);
  const expiresAt = offerExpiry(sendAt, slotStart, minNoticeMinutes);
  return expiresAt === null ? null : { sendAt, expiresAt };
}

export type WindowProblem = 'WINDOW_EMPTY' | 'WINDOW_IN_PAST' | 'WINDOW_TOO_LONG';

/**
 * What is wrong with a requested window, if anything: it must end ahead of now, after it
 * starts, and what is left of it may span at most MAX_WINDOW_DAYS. A start already passed
 * is no fault (an adviser asking for "from now" sends a moment that has gone by arrival):
 * only slots ahead are ever offered.
 */
export function windowProblem(now: number, earliest: number, latest: number): WindowProblem | null {
  if (latest <= earliest) return 'WINDOW_EMPTY';
  if (latest <= now) return 'WINDOW_IN_PAST';
  if (latest - Math.max(earliest, now) > MAX_WINDOW_DAYS * DAY) return 'WINDOW_TOO_LONG';
  return null;
}

/** A slot as a text names it. */
export interface SlotWording {
  start: number;
  zone: string;
  siteName: string;
}

const clock = (instant: number, zone: string) => DateTime.fromMillis(instant, { zone }).toFormat('HH:mm');

/** What the service texts about a freed slot. Each fits one GSM-7 segment with the longest values it can hold. */
export const waitlistWording = {
  offer: (slot: SlotWording, expiresAt: number) =>
    `A time has come up: ${when(slot)} at ${site(slot.siteName)}. Reply 1 by ${clock(expiresAt, slot.zone)} to take it. First to reply gets it.`,
  booked: (slot: SlotWording) => `Booked: your appointment is on ${when(slot)} at ${site(slot.siteName)}. Reply NO if you can't come.`,
  gone: () => 'Sorry, that time has just gone. You are still on the waiting list and we will text you if another comes up.',
  expired: () => 'Sorry, that offer has ended. You are still on the waiting list and we will text you if another time comes up.',
  onlyOne: () => `Please reply 1 to take the time we sent, or call ${HELPLINE} (free).`,
} as const;
