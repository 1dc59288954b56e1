import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ExtraSeats } from '../common/admission/extra-seats';
import { runPrepared } from '../common/database/prepared';
import { AppError } from '../common/errors/app-error';
import { MINUTE, parseInstant } from '../common/time/local-time';
import { busySpan, checkSlot, SlotCheck, slotCapacity } from '../slots/domain/slots';
import { DiaryLoader } from '../slots/diary.loader';
import { decideAdmission } from './domain/admission';

export interface SlotRef {
  appointmentType: string;
  siteId: string;
  adviserId: string;
  start: string;
}

/** A seat taken in a session, inside the caller's transaction. */
export interface Seat {
  sessionId: string;
  appointmentTypeId: string;
  appointmentType: string;
  siteId: string;
  adviserId: string;
  roomId: string | null;
  start: Date;
  end: Date;
  /** The site's zone, for showing the seat's times. */
  timezone: string;
  /** Taken in a session already full, for overbooking to admit or refuse once the booking is scored. */
  extra: boolean;
}

// A session that no booking fills and no hold live at `now` (the parameter named) reserves: cleared when in the way.
const emptySession = (now: string) => `s.booked = 0 AND s.extras = 0 AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.session_id = s.id AND h.released_at IS NULL AND h.expires_at > ${now})`;

const INSERT_SESSION = {
  name: 'sessions.insert',
  text: `INSERT INTO sessions (id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, busy, capacity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, tstzrange($6, $8, '[)'), $9)`,
};
// Migration 0020: the three locks below in one round trip.
const LOCK_FOR_SEATS = { name: 'lock_for_seats', text: 'SELECT sites_found, advisers_found FROM lock_for_seats($1::uuid[], $2::uuid[])' };

const REFUSALS: Record<Exclude<SlotCheck, { ok: true }>['reason'], [number, string, string]> = {
  MISALIGNED: [400, 'INVALID_START', 'Slots start on a five-minute mark'],
  NOT_IN_DIARY: [409, 'SLOT_NOT_IN_DIARY', 'The adviser is not available for that appointment type at that site and time'],
  TOO_SOON: [409, 'TOO_SOON', 'That slot is in the past or inside the minimum notice of the site'],
  CLASH: [409, 'SLOT_TAKEN', 'The adviser or the room is already busy at that time'],
};

/**
 * Takes seats in sessions. Every path that changes an adviser's sessions (holds,
 * bookings, cancellations, reschedules, absences) first locks the adviser's row, so the
 * count of seats and the decision to admit happen with nobody else changing them: two
 * requests for the last seat queue on the lock and the second sees the first's booking.
 * Locks are always taken in the order site, then advisers by id, then rooms by id, then
 * booking and hold rows.
 */
@Injectable()
export class SeatService {
  constructor(
    private readonly loader: DiaryLoader,
    private readonly extraSeats: ExtraSeats,
  ) {}

  /** The advisers alone: lock_for_seats with no site locks no site and no room. */
  lockAdvisers(manager: EntityManager, adviserIds: string[]): Promise<void> {
    return this.lockForSeats(manager, [], adviserIds);
  }

  /**
   * Before taking seats: the sites, shared (a closure locks its site exclusively, so it
   * waits for bookings under way there and they wait for it), then the advisers, then the
   * rooms of their patterns at the sites. A seat in a room may be taken over an empty
   * session another adviser left there (see take), whose lock is not ours: the room's
   * lock, held by every take in the room from before it reads the diary, is what keeps
   * anybody from joining that session as it is cleared. Locking that adviser instead
   * would break the order of advisers by id. Rooms come before booking and hold rows
   * because clearing a session reaches the lapsed holds that point at it.
   */
  async lockForSeats(manager: EntityManager, siteIds: string[], adviserIds: string[]): Promise<void> {
    const sites = [...new Set(siteIds)];
    const advisers = [...new Set(adviserIds)];
    const [found] = await runPrepared<{ sites_found: number; advisers_found: number }>(manager, LOCK_FOR_SEATS, [sites, advisers]);
    if (found.sites_found !== sites.length) throw new AppError(422, 'UNKNOWN_SITE', 'No site with that id');
    if (found.advisers_found !== advisers.length) throw new AppError(422, 'UNKNOWN_ADVISER', 'No adviser with that id');
  }

  /**
   * Takes a seat at a slot; the caller must hold the locks of lockForSeats for it. With
   * `mayOverbook`, a full session gives an extra seat where a policy could admit one, for
   * the booking's event to decide on (see ExtraSeats); holds never ask for one, having no
   * customer whose chance of coming could be judged. `releasedSeat`: the booking takes a seat
   * a site released beside one of its bookings, an extra whatever the policy's mode, which the
   * booking's event decides on just the same.
   */
  async take(manager: EntityManager, slot: SlotRef, now: number, mayOverbook = false, releasedSeat = false): Promise<Seat> {
    const start = parseInstant(slot.start)!;
    const type = await this.loader.type(slot.appointmentType, manager);
    const end = start + type.durationMinutes * MINUTE;
    const diary = await this.loader.load({ typeCode: type.code, siteIds: [slot.siteId], adviserIds: [slot.adviserId], range: { start, end }, now }, manager);
    const site = diary.sites.get(slot.siteId);
    if (!site) throw new AppError(...REFUSALS.NOT_IN_DIARY);
    const check = checkSlot({ start, type, windows: diary.windows, sessions: diary.sessions, earliestStart: now + site.minNoticeMinutes * MINUTE, overlapMinutes: diary.overlapMinutes });
    if (!check.ok) throw new AppError(...REFUSALS[check.reason]);
    const seat = { timezone: site.timezone, appointmentTypeId: type.id, appointmentType: type.code, siteId: slot.siteId, adviserId: slot.adviserId, roomId: check.window.roomId, start: new Date(start), end: new Date(end), extra: false };
    if (check.join) {
      const sessionId = check.join.id;
      if (decideAdmission(check.join).admit) return { ...seat, sessionId };
      if (releasedSeat || (mayOverbook && (await this.extraSeats.mayTry(manager, { sessionId, siteId: slot.siteId, appointmentTypeId: type.id, start: seat.start })))) return { ...seat, sessionId, extra: true };
      throw new AppError(409, 'SLOT_FULL', 'That slot is full');
    }
    const busyUntil = start + busySpan(type, diary.overlapMinutes.get(slot.siteId));
    // Sessions whose bookings were cancelled or whose holds lapsed still sit in the diary,
    // which counts them as free; they are cleared here when in the way: the adviser's own,
    // at any site, under the adviser's lock, and another adviser's in the room, under the
    // room's (see lockForSeats). The diary just read under those locks holds every such
    // session (booked, extras and live holds all nil), so the DELETE is sent only when it
    // shows one: almost never.
    const inTheWay = diary.sessions.some(
      (s) => (s.adviserId === slot.adviserId || (seat.roomId !== null && s.roomId === seat.roomId)) && s.start < busyUntil && s.busyUntil > start && s.booked === 0 && s.held === 0,
    );
    if (inTheWay) {
      await manager.query(
        `DELETE FROM sessions s
          WHERE (s.adviser_id = $1 OR s.room_id = $5) AND s.busy && tstzrange($2, $3) AND ${emptySession('$4')}`,
        [slot.adviserId, seat.start, new Date(busyUntil), new Date(now), seat.roomId],
      );
    }
    const sessionId = randomUUID();
    try {
      await runPrepared(manager, INSERT_SESSION, [
        sessionId,
        slot.adviserId,
        slot.siteId,
        seat.roomId,
        type.id,
        seat.start,
        seat.end,
        new Date(busyUntil),
        slotCapacity(type, seat.roomId, diary.roomCapacities),
      ]);
    } catch (error) {
      // The exclusion constraints are the last line, should the diary as loaded ever miss
      // a session of the adviser or the room.
      if ((error as { code?: string }).code === '23P01') throw new AppError(...REFUSALS.CLASH);
      throw error;
    }
    return { ...seat, sessionId };
  }

  /** Drops a session that no booking or live hold uses any more. */
  async dropIfEmpty(manager: EntityManager, sessionId: string, now: number): Promise<void> {
    await manager.query(
      `DELETE FROM sessions s WHERE s.id = $1 AND ${emptySession('$2')}`,
      [sessionId, new Date(now)],
    );
  }
}
