import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outcome, showed } from '../attendance/domain/outcomes';
import { DEFAULT_SHOW_RATE } from '../attendance/domain/training-set';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { formatInstant, HOUR, localDay } from '../common/time/local-time';
import { requireSite } from '../sites/require-site';
import { slotCapacity } from '../slots/domain/slots';
import { DiaryLoader } from '../slots/diary.loader';
import { COLLISION_LIKELY_AT, daySheet, SheetSession, SheetWindow } from './domain/day-sheet';
import { bookingRefusal, RELEASE_CEILING } from './domain/release';
import { DaySheetReleaseView, DaySheetView } from './dto/day-sheet.dto';


interface SessionRow {
  id: string;
  adviser_id: string;
  adviser_name: string;
  room_id: string | null;
  room_name: string | null;
  code: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
}

interface BookingRow {
  id: string;
  session_id: string;
  reference: string;
  name: string;
  show_probability: number | null;
  overbooked: boolean;
  referral_source: string;
  outcome: Outcome | null;
  visible: boolean;
  starts_at: Date;
  released_at: Date | null;
  /** For a customer who took a seat released beside another booking: that booking. */
  released_from: string | null;
}

/** The seat released beside a booking, and who of the session's bookings took it. */
function releaseOf(booking: BookingRow, session: BookingRow[]): DaySheetReleaseView {
  const taker = session.find((b) => b.released_from === booking.id);
  return { releasedAt: booking.released_at!.toISOString(), claimed: !!taker, claimedBy: taker?.visible ? taker.name : null };
}

// Figures for people to read; the flags are decided on the exact values.
const rounded = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * A site's day with expectations (issue 8 point 4): read from the sessions and bookings as
 * they stand, with the advisers' diaries for who could help; nothing is written.
 */
@Injectable()
export class DaySheetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly loader: DiaryLoader,
    private readonly clock: Clock,
  ) {}

  /**
   * Admins and the site's managers see every booking by name. Any other key that books
   * (bookings:write) gets the same figures, which count every booking, but sees by name
   * only its organisation's bookings and its advisers' customers, as outcomes-due does:
   * the queue is everybody's business, the customers are not.
   */
  private seesEveryone(principal: Principal, siteId: string): boolean {
    if (mayManageSite(principal, siteId)) return true;
    if (principal.scopes.has('bookings:write')) return false;
    if (principal.scopes.has('sites:manage')) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    throw new AppError(403, 'FORBIDDEN', 'A day sheet needs the "bookings:write" scope, or "sites:manage" for the site');
  }

  async sheet(principal: Principal, siteId: string, date: string, appointmentType?: string): Promise<DaySheetView> {
    const now = this.clock.now();
    const everyone = this.seesEveryone(principal, siteId);
    const { timezone } = await requireSite(this.dataSource, siteId);
    if (appointmentType !== undefined) await this.loader.type(appointmentType);
    const day = localDay(timezone, date);
    const sessionRows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id, s.adviser_id, a.name AS adviser_name, s.room_id, r.name AS room_name, t.code, s.starts_at, s.ends_at, s.capacity
         FROM sessions s
         JOIN advisers a ON a.id = s.adviser_id
         JOIN appointment_types t ON t.id = s.appointment_type_id
         LEFT JOIN rooms r ON r.id = s.room_id
        WHERE s.site_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
          -- Not the session's seat counter, which leaves out customers admitted beyond capacity.
          AND EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked')`,
      [siteId, new Date(day.start), new Date(day.end)],
    );
    const bookingRows: BookingRow[] = sessionRows.length
      ? await this.dataSource.query(
          `SELECT b.id, b.session_id, c.reference, c.name, b.show_probability, b.overbooked, b.referral_source, b.outcome, b.starts_at,
                  ($2::uuid IS NULL OR b.organisation_id = $2 OR a.organisation_id = $2) AS visible,
                  (SELECT e.at FROM booking_events e WHERE e.booking_id = b.id AND e.kind = 'released') AS released_at,
                  (SELECT e.data->>'releasedFrom' FROM booking_events e WHERE e.booking_id = b.id AND e.kind = 'created') AS released_from
             FROM bookings b
             JOIN customers c ON c.id = b.customer_id
             JOIN advisers a ON a.id = b.adviser_id
            WHERE b.session_id = ANY ($1) AND b.status = 'booked'
            ORDER BY b.created_at, b.id`,
          [sessionRows.map((s) => s.id), everyone ? null : principal.organisationId],
        )
      : [];
    const bookingsOf = new Map<string, BookingRow[]>();
    for (const b of bookingRows) bookingsOf.set(b.session_id, [...(bookingsOf.get(b.session_id) ?? []), b]);
    const rows = new Map(sessionRows.map((s) => [s.id, s]));
    const sessions: SheetSession[] = sessionRows.map((s) => ({
      id: s.id,
      adviserId: s.adviser_id,
      appointmentType: s.code,
      start: s.starts_at.getTime(),
      end: s.ends_at.getTime(),
      capacity: s.capacity,
      bookings: (bookingsOf.get(s.id) ?? []).map((b) => ({ showProbability: b.show_probability, showed: b.outcome === null ? null : (showed(b.outcome) ?? 0) })),
    }));

    const first = daySheet({ zone: timezone, sessions, windows: [], fallbackShowProbability: DEFAULT_SHOW_RATE, appointmentType });
    // Diaries are read only for the types with a likely collision: most days have none.
    const queued = new Set(first.sessions.filter((s) => s.outlook.collisionLikely).map((s) => s.session.appointmentType));
    const { windows, names } = await this.windows(siteId, [...queued], day);
    const sheet = queued.size ? daySheet({ zone: timezone, sessions, windows, fallbackShowProbability: DEFAULT_SHOW_RATE, appointmentType }) : first;
    for (const s of sessionRows) names.set(s.adviser_id, s.adviser_name);

    return {
      siteId,
      date,
      timezone,
      appointmentType: appointmentType ?? null,
      collisionLikelyAt: COLLISION_LIKELY_AT,
      releaseCeiling: RELEASE_CEILING,
      unscoredShowProbability: rounded(sheet.unscoredShowProbability),
      totals: { ...sheet.totals, expectedCustomers: rounded(sheet.totals.expectedCustomers) },
      hours: sheet.hours.map((h) => ({ ...h, start: formatInstant(h.start, timezone), end: formatInstant(h.start + HOUR, timezone), expectedCustomers: rounded(h.expectedCustomers) })),
      sessions: sheet.sessions.map(({ session, outlook, helpers }) => {
        const row = rows.get(session.id)!;
        const bookings = bookingsOf.get(session.id) ?? [];
        const shown = bookings.filter((b) => b.visible);
        return {
          sessionId: session.id,
          adviserId: session.adviserId,
          adviserName: row.adviser_name,
          roomId: row.room_id,
          roomName: row.room_name,
          appointmentType: session.appointmentType,
          start: formatInstant(session.start, timezone),
          end: formatInstant(session.end, timezone),
          capacity: session.capacity,
          booked: bookings.length,
          expectedCustomers: rounded(outlook.expectedCustomers),
          collisionProbability: rounded(outlook.collisionProbability),
          collisionLikely: outlook.collisionLikely,
          bookings: shown.map((b) => ({
            bookingId: b.id,
            customerReference: b.reference,
            customerName: b.name,
            showProbability: b.show_probability,
            overbooked: b.overbooked,
            referralSource: b.referral_source,
            outcome: b.outcome,
            releasable: !bookingRefusal({ cancelled: false, start: b.starts_at.getTime(), showProbability: b.show_probability, released: b.released_at !== null }, now),
            release: b.released_at && releaseOf(b, bookings),
          })),
          otherBookings: bookings.length - shown.length,
          helpers: helpers.map((h) => ({ adviserId: h.adviserId, adviserName: names.get(h.adviserId) ?? '', inSession: h.inSession, expectedSpare: rounded(h.expectedSpare) })),
        };
      }),
    };
  }

  /** The advisers' diary time at the site that day for these types, and the names of those advisers. */
  private async windows(siteId: string, types: string[], day: { start: number; end: number }): Promise<{ windows: SheetWindow[]; names: Map<string, string> }> {
    const windows: SheetWindow[] = [];
    for (const typeCode of types) {
      const diary = await this.loader.load({ typeCode, siteIds: [siteId], range: day, now: this.clock.now() });
      for (const w of diary.windows) windows.push({ adviserId: w.adviserId, appointmentType: typeCode, start: w.start, end: w.end, capacity: slotCapacity(diary.type, w.roomId, diary.roomCapacities) });
    }
    const ids = [...new Set(windows.map((w) => w.adviserId))];
    const rows: { id: string; name: string }[] = ids.length ? await this.dataSource.query('SELECT id, name FROM advisers WHERE id = ANY ($1)', [ids]) : [];
    return { windows, names: new Map(rows.map((r) => [r.id, r.name])) };
  }
}
