import { addDays, isoWeekday, localDateOf, localToInstant, minutesOfDay, timeOfDay, WeekdayName } from '../../common/time/local-time';

export interface Interval {
  start: number;
  end: number;
}

export interface DiaryPattern {
  id: string;
  adviserId: string;
  siteId: string;
  roomId: string | null;
  /** ISO weekday numbers, Monday = 1. */
  weekdays: number[];
  startTime: string;
  endTime: string;
  validFrom: string;
  validTo: string | null;
  appointmentTypes: string[];
}

export type OpeningHours = Partial<Record<WeekdayName, { open: string; close: string }>>;

export interface SiteCalendar {
  id: string;
  timezone: string;
  /** Null: no restriction. A weekday missing from the map: closed that day. */
  openingHours: OpeningHours | null;
  /** Local dates on which the site is shut: closures and bank holidays. */
  closedDates: ReadonlySet<string>;
}

/** A stretch of time in which an adviser is available at a site (and room). */
export interface Window extends Interval {
  adviserId: string;
  siteId: string;
  roomId: string | null;
  patternId: string;
}

const WEEKDAY_NAMES: WeekdayName[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** The wall-clock part of a pattern that a site's opening hours allow on a weekday. */
function openPart(pattern: DiaryPattern, site: SiteCalendar, weekday: number): [string, string] | null {
  if (!site.openingHours) return [pattern.startTime, pattern.endTime];
  const hours = site.openingHours[WEEKDAY_NAMES[weekday - 1]];
  if (!hours) return null;
  const start = Math.max(minutesOfDay(pattern.startTime), minutesOfDay(hours.open));
  const end = Math.min(minutesOfDay(pattern.endTime), minutesOfDay(hours.close));
  return end > start ? [timeOfDay(start), timeOfDay(end)] : null;
}

// The local days a range touches in a zone, with their weekdays: the same for every
// pattern of a search, so worked out once (bounded, cleared when full).
const daysCache = new Map<string, { date: string; weekday: number }[]>();

function localDays(zone: string, range: Interval): { date: string; weekday: number }[] {
  const key = `${zone}|${range.start}|${range.end}`;
  let days = daysCache.get(key);
  if (!days) {
    days = [];
    const lastDate = localDateOf(range.end, zone);
    for (let date = localDateOf(range.start, zone); date <= lastDate; date = addDays(date, 1)) days.push({ date, weekday: isoWeekday(date) });
    if (daysCache.size >= 1000) daysCache.clear();
    daysCache.set(key, days);
  }
  return days;
}

/**
 * The windows a weekly pattern yields at its site, for local days that touch `range`.
 * Each day is expanded in the site's own zone, so 09:00 stays 09:00 on the wall clock
 * across the clock changes.
 */
export function expandPattern(pattern: DiaryPattern, site: SiteCalendar, range: Interval): Window[] {
  const windows: Window[] = [];
  // The open part depends on the weekday alone.
  const parts = new Map<number, [string, string] | null>();
  for (const { date, weekday } of localDays(site.timezone, range)) {
    if (date < pattern.validFrom || (pattern.validTo !== null && date > pattern.validTo)) continue;
    if (!pattern.weekdays.includes(weekday) || site.closedDates.has(date)) continue;
    let part = parts.get(weekday);
    if (part === undefined) parts.set(weekday, (part = openPart(pattern, site, weekday)));
    if (!part) continue;
    const start = localToInstant(site.timezone, date, part[0]);
    const end = localToInstant(site.timezone, date, part[1]);
    if (end > start && end > range.start && start < range.end) {
      windows.push({ start, end, adviserId: pattern.adviserId, siteId: pattern.siteId, roomId: pattern.roomId, patternId: pattern.id });
    }
  }
  return windows;
}

/** Removes blocked time (leave, sickness, training) from windows, splitting where needed. */
export function subtractBlocks<T extends Interval>(windows: T[], blocks: Interval[]): T[] {
  let result = windows;
  for (const block of blocks) {
    result = result.flatMap((window) => {
      if (block.end <= window.start || block.start >= window.end) return [window];
      const pieces: T[] = [];
      if (block.start > window.start) pieces.push({ ...window, end: block.start });
      if (block.end < window.end) pieces.push({ ...window, start: block.end });
      return pieces;
    });
  }
  return result;
}

type WeeklyTimes = Pick<DiaryPattern, 'weekdays' | 'startTime' | 'endTime' | 'validFrom' | 'validTo'>;

/** Do two weekly patterns ever claim the same time: a date both are valid on, falling on a weekday both use, at overlapping hours? */
export function patternsOverlap(a: WeeklyTimes, b: WeeklyTimes): boolean {
  if (!(a.startTime < b.endTime && b.startTime < a.endTime)) return false;
  const shared = a.weekdays.filter((day) => b.weekdays.includes(day));
  const from = a.validFrom > b.validFrom ? a.validFrom : b.validFrom;
  const to = [a.validTo, b.validTo].filter((d): d is string => d !== null).sort()[0] ?? null;
  // A week of common dates contains every weekday, so no more than seven need looking at.
  for (let date = from, i = 0; i < 7 && (to === null || date <= to); date = addDays(date, 1), i++) {
    if (shared.includes(isoWeekday(date))) return true;
  }
  return false;
}
