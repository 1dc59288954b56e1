import { DateTime, IANAZone } from 'luxon';

/** ISO weekday names, index + 1 is the ISO weekday number (Monday = 1). */
export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type WeekdayName = (typeof WEEKDAYS)[number];

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

export const isValidZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** Diaries have no business outside this century; the bound also keeps date maths in range. */
const YEARS = { min: 2000, max: 2099 };
const inYears = (year: number) => year >= YEARS.min && year <= YEARS.max;

export function isValidDate(date: string): boolean {
  return DATE_PATTERN.test(date) && DateTime.fromISO(date, { zone: 'UTC' }).isValid && inYears(Number(date.slice(0, 4)));
}

/** Minutes since midnight of an "HH:mm" wall-clock time. */
export function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

export function timeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Calendar arithmetic on "yyyy-MM-dd" strings, independent of any zone. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

// Zone offsets come from Intl and are slow to ask for; they change at most on the hour,
// so one answer serves a whole UTC hour. Bounded, cleared when full.
const offsetCache = new Map<string, number>();

/** The zone's offset from UTC at an instant, in minutes. */
function offsetMinutes(zone: string, instant: number): number {
  const key = `${zone}|${Math.floor(instant / HOUR)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(instant);
    if (offsetCache.size >= 200_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

const offsetMs = (zone: string, instant: number) => offsetMinutes(zone, instant) * MINUTE;

// Converting a wall-clock time to an instant is the hot spot of slot search, and diaries
// reuse a handful of times, so conversions are memoised (bounded, cleared when full).
const instantCache = new Map<string, number>();

/**
 * The instant at which a wall clock in `zone` shows `time` on `date`. A time inside the
 * hour skipped in spring resolves to the same instant as one hour later (02:30 -> 03:30
 * BST); a time in the hour repeated in autumn resolves to its first (BST) occurrence.
 * Worked out from the zone's offsets a day either side, not from the offset in force
 * now, so the answer does not depend on the season the server is in.
 */
export function localToInstant(zone: string, date: string, time: string): number {
  const key = `${zone}|${date}|${time}`;
  let instant = instantCache.get(key);
  if (instant === undefined) {
    const wall = Date.parse(`${date}T${time}:00Z`);
    const before = wall - offsetMs(zone, wall - DAY);
    const after = wall - offsetMs(zone, wall + DAY);
    const matches = [before, after].filter((candidate) => candidate + offsetMs(zone, candidate) === wall);
    instant = matches.length ? Math.min(...matches) : before;
    if (instantCache.size >= 200_000) instantCache.clear();
    instantCache.set(key, instant);
  }
  return instant;
}

/** The local date and minute of the day that a wall clock in `zone` shows at an instant. */
export function localClockOf(instant: number, zone: string): { date: string; minutes: number } {
  const local = instant + offsetMs(zone, instant);
  return { date: new Date(local).toISOString().slice(0, 10), minutes: Math.floor((((local % DAY) + DAY) % DAY) / MINUTE) };
}

// From the cached offset, not a DateTime: slot search asks this twice per diary pattern, and
// a DateTime each time was most of expanding a 50-site diary.
export function localDateOf(instant: number, zone: string): string {
  return localClockOf(instant, zone).date;
}

/** The start of the local day `date` in `zone`, as an instant. */
export function startOfLocalDay(zone: string, date: string): number {
  return DateTime.fromISO(date, { zone }).startOf('day').toMillis();
}

/** The instants a local day spans in `zone`: 23, 24 or 25 hours. */
export function localDay(zone: string, date: string): { start: number; end: number } {
  return { start: startOfLocalDay(zone, date), end: startOfLocalDay(zone, addDays(date, 1)) };
}

/**
 * A bound given in a request, already validated: a date stands for its whole local day
 * (its start as a lower bound, its end as an upper one); anything else is an instant.
 */
export function requestBound(value: string, zone: string, side: 'start' | 'end'): number {
  return isValidDate(value) ? localDay(zone, value)[side] : parseInstant(value)!;
}

/**
 * ISO 8601 with the zone's offset at that instant, e.g. 2027-03-29T09:00:00+01:00.
 * Built from the offset directly: a search answers hundreds of slots, and a DateTime per
 * instant showed up in profiles.
 */
export function formatInstant(instant: number, zone: string): string {
  const offset = offsetMinutes(zone, instant);
  const local = new Date(instant + offset * MINUTE).toISOString();
  const seconds = local.slice(19, 23) === '.000' ? local.slice(0, 19) : local.slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  return `${seconds}${sign}${hours}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
}

const OFFSET_DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** Parses an ISO 8601 instant that names its offset; local times without one are ambiguous. */
export function parseInstant(value: string): number | null {
  if (!OFFSET_DATETIME.test(value)) return null;
  const parsed = DateTime.fromISO(value, { setZone: true });
  return parsed.isValid && inYears(parsed.year) ? parsed.toMillis() : null;
}
