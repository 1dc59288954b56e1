import { localClockOf, MINUTE } from '../../common/time/local-time';
import { overflowRisk } from './admission';

/**
 * A site's day with expectations (issue 8 point 4): how many customers each session can
 * expect, where a queue is likely, and which other advisers are expected to have room to
 * take a customer when it forms.
 */

/**
 * A session flagged as a likely collision at one chance in four or more. A risk policy's
 * target is at most 0.5 and 0.1 by default, so every overbooked session carries some risk;
 * flagging at the policy's own level would mark each extra and the sheet would cry wolf.
 * One day in four with a queue is where an adviser and the site should plan for it.
 */
export const COLLISION_LIKELY_AT = 0.25;

/** One active booking: its score, and what was recorded if the appointment has happened. */
export interface SheetBooking {
  /** The stored show probability; null if the booking was never scored. */
  showProbability: number | null;
  /** 1 or 0 once it is known whether the customer came; overrides the score. */
  showed: 0 | 1 | null;
}

export interface SheetSession {
  id: string;
  adviserId: string;
  appointmentType: string;
  start: number;
  end: number;
  capacity: number;
  bookings: readonly SheetBooking[];
}

/** Time in which an adviser's diary lets them see an appointment type at the site. */
export interface SheetWindow {
  adviserId: string;
  appointmentType: string;
  start: number;
  end: number;
  /** Customers of the type the adviser could see at once there (the type's, or the room's if smaller). */
  capacity: number;
}

export interface Helper {
  adviserId: string;
  /** False: nothing booked with them then, only diary time. */
  inSession: boolean;
  /** Seats expected to be empty: capacity less expected customers in their fullest overlapping session, or the window's capacity when free. */
  expectedSpare: number;
}

export interface SessionOutlook {
  expectedCustomers: number;
  /** The exact probability that more customers come than the session can see. */
  collisionProbability: number;
  collisionLikely: boolean;
}

/**
 * What a booking that was never scored counts as: the mean score of the day's scored
 * bookings, which carries the site's and the day's mix of customers, or `fallback` when
 * none is scored. Bookings are scored as they are made, so unscored ones are the few made
 * before scoring existed, or while it failed.
 */
export function unscoredShowProbability(sessions: readonly SheetSession[], fallback: number): number {
  const scores = sessions.flatMap((s) => s.bookings.flatMap((b) => (b.showProbability === null ? [] : [b.showProbability])));
  return scores.length ? scores.reduce((sum, p) => sum + p, 0) / scores.length : fallback;
}

const chanceOfComing = (booking: SheetBooking, unscored: number) => booking.showed ?? booking.showProbability ?? unscored;

export function sessionOutlook(session: SheetSession, unscored: number): SessionOutlook {
  const probabilities = session.bookings.map((b) => chanceOfComing(b, unscored));
  const collisionProbability = overflowRisk([{ capacity: session.capacity, showProbabilities: probabilities }]);
  return {
    expectedCustomers: probabilities.reduce((sum, p) => sum + p, 0),
    collisionProbability,
    collisionLikely: collisionProbability >= COLLISION_LIKELY_AT,
  };
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Who can take a customer from a session with a queue: the other advisers whose diary at
 * the site covers some of its time for its appointment type, and who are expected to have
 * room then: nothing booked with them, or fewer customers expected than seats in each of
 * their sessions that overlap it. Roomiest first; ties by adviser id, so the answer is
 * stable.
 */
export function helpersFor(
  session: SheetSession,
  sessions: readonly { session: SheetSession; outlook: SessionOutlook }[],
  windows: readonly SheetWindow[],
): Helper[] {
  const helpers = new Map<string, Helper>();
  for (const window of windows) {
    if (window.adviserId === session.adviserId || window.appointmentType !== session.appointmentType || !overlaps(window, session)) continue;
    if (helpers.has(window.adviserId)) continue;
    const busy = sessions.filter((s) => s.session.adviserId === window.adviserId && overlaps(s.session, session));
    const expectedSpare = busy.length ? Math.min(...busy.map((s) => s.session.capacity - s.outlook.expectedCustomers)) : window.capacity;
    if (expectedSpare > 0) helpers.set(window.adviserId, { adviserId: window.adviserId, inSession: busy.length > 0, expectedSpare });
  }
  return [...helpers.values()].sort((a, b) => b.expectedSpare - a.expectedSpare || (a.adviserId < b.adviserId ? -1 : a.adviserId > b.adviserId ? 1 : 0));
}

/**
 * The instant at which the local hour containing `instant` begins on the site's clocks.
 * An instant, not a wall-clock label, so that the hour 01:00 repeated when the clocks go
 * back is two hours, not one, and an hour is an hour of the site's zone, not the server's.
 */
export function localHourStart(instant: number, zone: string): number {
  const { minutes } = localClockOf(instant, zone);
  const withinMinute = ((instant % MINUTE) + MINUTE) % MINUTE;
  return instant - (minutes % 60) * MINUTE - withinMinute;
}

export interface HourSummary {
  start: number;
  sessions: number;
  capacity: number;
  booked: number;
  expectedCustomers: number;
  collisionsLikely: number;
}

/** The day hour by hour, each session counted in the local hour it starts in; hours with none are left out. */
export function hourSummaries(sessions: readonly { session: SheetSession; outlook: SessionOutlook }[], zone: string): HourSummary[] {
  const hours = new Map<number, HourSummary>();
  for (const { session, outlook } of sessions) {
    const start = localHourStart(session.start, zone);
    const hour = hours.get(start) ?? { start, sessions: 0, capacity: 0, booked: 0, expectedCustomers: 0, collisionsLikely: 0 };
    hour.sessions += 1;
    hour.capacity += session.capacity;
    hour.booked += session.bookings.length;
    hour.expectedCustomers += outlook.expectedCustomers;
    hour.collisionsLikely += outlook.collisionLikely ? 1 : 0;
    hours.set(start, hour);
  }
  return [...hours.values()].sort((a, b) => a.start - b.start);
}

export interface DaySheetInput {
  zone: string;
  /** The day's sessions with at least one active booking, all types. */
  sessions: readonly SheetSession[];
  /** Diary windows at the site that day, for the types of the sessions. */
  windows: readonly SheetWindow[];
  /** Counts an unscored booking when no booking that day is scored. */
  fallbackShowProbability: number;
  /** Only sessions of this type are reported; helpers' own load is judged over every type. */
  appointmentType?: string;
}

export interface DaySheetSession {
  session: SheetSession;
  outlook: SessionOutlook;
  /** Empty unless a collision is likely. */
  helpers: Helper[];
}

export interface DaySheet {
  unscoredShowProbability: number;
  sessions: DaySheetSession[];
  hours: HourSummary[];
  totals: { sessions: number; capacity: number; booked: number; expectedCustomers: number; collisionsLikely: number };
}

export function daySheet(input: DaySheetInput): DaySheet {
  const unscored = unscoredShowProbability(input.sessions, input.fallbackShowProbability);
  const all = [...input.sessions].sort((a, b) => a.start - b.start || (a.adviserId < b.adviserId ? -1 : a.adviserId > b.adviserId ? 1 : 0)).map((session) => ({ session, outlook: sessionOutlook(session, unscored) }));
  const shown = all.filter(({ session }) => input.appointmentType === undefined || session.appointmentType === input.appointmentType);
  const sessions = shown.map(({ session, outlook }) => ({ session, outlook, helpers: outlook.collisionLikely ? helpersFor(session, all, input.windows) : [] }));
  const hours = hourSummaries(shown, input.zone);
  const totals = {
    sessions: shown.length,
    capacity: shown.reduce((sum, s) => sum + s.session.capacity, 0),
    booked: shown.reduce((sum, s) => sum + s.session.bookings.length, 0),
    expectedCustomers: shown.reduce((sum, s) => sum + s.outlook.expectedCustomers, 0),
    collisionsLikely: shown.filter((s) => s.outlook.collisionLikely).length,
  };
  return { unscoredShowProbability: unscored, sessions, hours, totals };
}
