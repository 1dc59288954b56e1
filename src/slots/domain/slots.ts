import { MINUTE } from '../../common/time/local-time';
import { decideAdmission, remainingSeats, SessionLoad } from '../../bookings/domain/admission';
import { Interval, Window } from '../../diaries/domain/availability';
import { mergeSorted, take } from './merge';

export interface SlotType {
  code: string;
  durationMinutes: number;
  bufferMinutes: number;
  capacity: number;
}

/** A session as it stands: its place in the diary and how full it is. */
export interface SessionState extends SessionLoad {
  id: string;
  adviserId: string;
  siteId: string;
  roomId: string | null;
  appointmentTypeCode: string;
  start: number;
  end: number;
  /** End of the buffer after the session. */
  busyUntil: number;
}

export interface Slot {
  siteId: string;
  adviserId: string;
  roomId: string | null;
  start: number;
  end: number;
  capacity: number;
  remaining: number;
  /** The existing session this slot joins (a group session with seats left). */
  sessionId: string | null;
}

export interface SlotQuery {
  windows: Window[];
  /** Sessions of the advisers and rooms in the windows; empty ones are ignored. */
  sessions: SessionState[];
  type: SlotType;
  roomCapacities: ReadonlyMap<string, number>;
  /** No slot may start before this instant (now plus the site's minimum notice). */
  earliestStart: (siteId: string) => number;
  range: Interval;
  overlapMinutes?: OverlapBySite;
}

/**
 * Minutes by which the next session may start before a new one at each site ends: the
 * overlapMinutes of the site's overbooking policy for the type where its mode is overlap.
 * Sites not in it have no overlap.
 */
export type OverlapBySite = ReadonlyMap<string, number>;

const isLive = (session: SessionState) => session.booked + session.held > 0;

export function slotCapacity(type: SlotType, roomId: string | null, roomCapacities: ReadonlyMap<string, number>): number {
  const room = roomId === null ? undefined : roomCapacities.get(roomId);
  return room === undefined ? type.capacity : Math.min(type.capacity, room);
}

/** Whether a booking of the type, in this window, would join the session rather than start one of its own. */
export function joinsWindow(session: SessionState, window: Window, typeCode: string): boolean {
  return (
    session.appointmentTypeCode === typeCode &&
    session.adviserId === window.adviserId &&
    session.siteId === window.siteId &&
    session.start >= window.start &&
    session.end <= window.end
  );
}

/**
 * Live sessions by adviser and by room, each list in start order, so that each window
 * looks only at its own, and of those only at the few around it (a binary search), not at
 * a fortnight of a busy room's sessions.
 */
class SessionIndex {
  private readonly byAdviser = new Map<string, SessionState[]>();
  private readonly byRoom = new Map<string, SessionState[]>();
  /** The longest a live session keeps its adviser or room, from its start. */
  private readonly longest: number = 0;

  constructor(sessions: SessionState[]) {
    const add = (map: Map<string, SessionState[]>, key: string, session: SessionState) => {
      const list = map.get(key);
      if (list) list.push(session);
      else map.set(key, [session]);
    };
    for (const session of sessions) {
      if (!isLive(session)) continue;
      add(this.byAdviser, session.adviserId, session);
      if (session.roomId !== null) add(this.byRoom, session.roomId, session);
      this.longest = Math.max(this.longest, session.busyUntil - session.start);
    }
    for (const list of [...this.byAdviser.values(), ...this.byRoom.values()]) list.sort((a, b) => a.start - b.start);
  }

  /** Sessions of the window's adviser or room that a session starting in it could run into, buffer included. */
  clashesOf(window: Window, bufferMs: number): SessionState[] {
    // A session that is still busy at the window's start began at most `longest` before it.
    const near = (list: SessionState[] | undefined) => {
      if (!list) return [];
      const found: SessionState[] = [];
      for (let i = firstFrom(list, window.start - this.longest); i < list.length && list[i].start < window.end + bufferMs; i++) {
        if (list[i].busyUntil > window.start) found.push(list[i]);
      }
      return found;
    };
    const own = near(this.byAdviser.get(window.adviserId));
    const room = window.roomId === null ? [] : near(this.byRoom.get(window.roomId)).filter((s) => !own.includes(s));
    return room.length ? [...own, ...room].sort((a, b) => a.start - b.start) : own;
  }
}

/** The index of the first session in `list` (in start order) that starts at or after `instant`. */
function firstFrom(list: SessionState[], instant: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list[mid].start < instant) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Slot starts fall on five-minute marks, so that times stay readable and a window cut by an absence at 10:07 offers 10:10. */
export const SLOT_ALIGNMENT_MINUTES = 5;
const ALIGN = SLOT_ALIGNMENT_MINUTES * MINUTE;
const onGrid = (instant: number) => Math.ceil(instant / ALIGN) * ALIGN;

/**
 * How long a new session keeps its adviser and room from the next one: to the end of its
 * buffer, or under an overlap policy until overlapMinutes before it ends, the overlap
 * taking the buffer's place (overbooking's overlapAllowed): the practice of booking the
 * next customer in while the last may still be there. The session's busy range is written
 * this long, so the overlap is the one it was booked under, and the exclusion constraints
 * hold it. In instants, so real minutes however the clocks change; never under one grid
 * step, so the next still starts after this one does, whatever the appointment's length.
 */
export function busySpan(type: SlotType, overlapMinutes = 0): number {
  if (overlapMinutes <= 0) return (type.durationMinutes + type.bufferMinutes) * MINUTE;
  return Math.max(SLOT_ALIGNMENT_MINUTES, type.durationMinutes - overlapMinutes) * MINUTE;
}

/**
 * Bookable slots: seats left in existing sessions of the type, and new sessions packed
 * into each window from its start, one after another with the type's buffer between
 * them (or overlapping, at a site with an overlap policy: busySpan), jumping past
 * whatever already occupies the adviser or the room. Packing from the window start keeps
 * the offered times stable as the clock moves on. In time order, then by adviser.
 */
export function generateSlots(query: SlotQuery): Slot[] {
  return [...slotStream(query)];
}

/** The first `limit` of generateSlots, working out little more of each adviser's diary than those need. */
export function earliestSlots(query: SlotQuery, limit: number): Slot[] {
  return take(slotStream(query), limit);
}

/** Every adviser's slots, merged lazily into time order (then adviser order). */
function slotStream(query: SlotQuery): Generator<Slot> {
  const byAdviser = new Map<string, Window[]>();
  for (const window of query.windows) {
    const list = byAdviser.get(window.adviserId);
    if (list) list.push(window);
    else byAdviser.set(window.adviserId, [window]);
  }
  // Ties on the start go to advisers in a fixed order; ranks make that a number compare.
  const advisers = [...byAdviser.keys()].sort((a, b) => a.localeCompare(b));
  const rank = new Map(advisers.map((id, i) => [id, i]));
  const index = new SessionIndex(query.sessions);
  const streams = advisers.map((id) => adviserSlots(byAdviser.get(id)!.sort((a, b) => a.start - b.start), index, query));
  return mergeSorted(streams, (a, b) => a.start - b.start || rank.get(a.adviserId)! - rank.get(b.adviserId)!);
}

/**
 * One adviser's slots in time order. Windows are taken in time order, so that a slot
 * offered at the end of one window (its buffer running on) is not offered again against
 * the start of the next; a window's slots start at or after the window does, so those
 * before the next window's start are final and can be handed on.
 */
function* adviserSlots(windows: Window[], index: SessionIndex, query: SlotQuery): Generator<Slot> {
  const { type, range } = query;
  const duration = type.durationMinutes * MINUTE;
  const pending: Slot[] = [];
  const offeredStarts = new Set<number>();
  let offeredUntil: number | undefined;
  const offer = (slot: Slot) => {
    if (slot.start < range.start || slot.start >= range.end || slot.start < query.earliestStart(slot.siteId) || offeredStarts.has(slot.start)) return;
    offeredStarts.add(slot.start);
    pending.push(slot);
  };
  const expand = (window: Window) => {
    const step = busySpan(type, query.overlapMinutes?.get(window.siteId));
    const clashes = index.clashesOf(window, step - duration);
    for (const session of clashes) {
      if (joinsWindow(session, window, type.code) && decideAdmission(session).admit) {
        offer({
          siteId: session.siteId,
          adviserId: session.adviserId,
          roomId: session.roomId,
          start: session.start,
          end: session.end,
          capacity: session.capacity,
          remaining: remainingSeats(session),
          sessionId: session.id,
        });
      }
    }
    const capacity = slotCapacity(type, window.roomId, query.roomCapacities);
    let start = onGrid(Math.max(window.start, offeredUntil ?? window.start));
    while (start + duration <= window.end) {
      const clash = clashes.find((s) => s.start < start + step && s.busyUntil > start);
      if (clash) {
        start = onGrid(clash.busyUntil);
        continue;
      }
      offer({ siteId: window.siteId, adviserId: window.adviserId, roomId: window.roomId, start, end: start + duration, capacity, remaining: capacity, sessionId: null });
      offeredUntil = start + step;
      start = onGrid(start + step);
    }
  };
  let next = 0;
  for (;;) {
    let expanded = false;
    while (next < windows.length && (pending.length === 0 || windows[next].start <= pending[0].start)) {
      expand(windows[next++]);
      expanded = true;
    }
    if (pending.length === 0) return;
    // Joins come before the window's new sessions, so a window's slots need sorting.
    if (expanded) pending.sort((a, b) => a.start - b.start);
    yield pending.shift()!;
  }
}

export type SlotCheck =
  | { ok: true; window: Window; join: SessionState | null }
  | { ok: false; reason: 'NOT_IN_DIARY' | 'TOO_SOON' | 'MISALIGNED' | 'CLASH' };

/**
 * Can a session of `type` run from `start` for this adviser? It must sit inside one of
 * the adviser's windows and either be an existing session of the same type at that very
 * time (to join it) or clash with nothing live. Capacity is not checked here: admission
 * is decided under the adviser's lock.
 */
export function checkSlot(input: { start: number; type: SlotType; windows: Window[]; sessions: SessionState[]; earliestStart: number; overlapMinutes?: OverlapBySite }): SlotCheck {
  const { start, type } = input;
  const end = start + type.durationMinutes * MINUTE;
  if (start % (SLOT_ALIGNMENT_MINUTES * MINUTE) !== 0) return { ok: false, reason: 'MISALIGNED' };
  const window = input.windows.find((w) => w.start <= start && end <= w.end);
  if (!window) return { ok: false, reason: 'NOT_IN_DIARY' };
  if (start < input.earliestStart) return { ok: false, reason: 'TOO_SOON' };
  const join = input.sessions.find((s) => isLive(s) && s.adviserId === window.adviserId && s.start === start && s.appointmentTypeCode === type.code && s.siteId === window.siteId);
  if (join) return { ok: true, window, join };
  const busyUntil = start + busySpan(type, input.overlapMinutes?.get(window.siteId));
  const clash = new SessionIndex(input.sessions).clashesOf(window, busyUntil - end).some((s) => s.start < busyUntil && s.busyUntil > start);
  return clash ? { ok: false, reason: 'CLASH' } : { ok: true, window, join: null };
}
