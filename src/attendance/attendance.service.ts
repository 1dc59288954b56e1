import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { AppError, notFound } from '../common/errors/app-error';
import { Actor, actorOf, BookingEvents } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { requireSite } from '../sites/require-site';
import { formatInstant, localDateOf, localDay } from '../common/time/local-time';
import { Outcome } from './domain/outcomes';
import { AttendancePolicyDto, AttendancePolicyView, BookingHistoryView, OutcomesDueView, OutcomeView, RecordOutcomeDto } from './dto/attendance.dto';

interface OutcomeTarget {
  id: string;
  status: string;
  starts_at: Date;
  outcome: Outcome | null;
  outcome_note: string | null;
  outcome_at: Date | null;
}

/**
 * Who may see a booking's attendance: the organisation that booked it, the provider whose
 * adviser holds the session, and an admin. Anyone else is told the booking does not exist,
 * so ids leak nothing. $2 is the caller's organisation.
 */
const MAY_SEE = '($2::uuid IS NULL OR b.organisation_id = $2 OR a.organisation_id = $2)';

@Injectable()
export class AttendanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: BookingEvents,
    private readonly clock: Clock,
  ) {}

  private async visibleBooking(manager: EntityManager | DataSource, principal: Principal, id: string, lock: boolean): Promise<OutcomeTarget> {
    const [row] = await manager.query(
      `SELECT b.id, b.status, b.starts_at, b.outcome, b.outcome_note, b.outcome_at
         FROM bookings b JOIN advisers a ON a.id = b.adviser_id
        WHERE b.id = $1 AND ${MAY_SEE} ${lock ? 'FOR NO KEY UPDATE OF b' : ''}`,
      [id, principal.admin ? null : principal.organisationId],
    );
    if (!row) throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking with id ${id}`);
    return row;
  }

  /**
   * Records what happened, or corrects what was recorded. Every version is kept as an
   * event; recording the same outcome and note again changes nothing.
   */
  async recordOutcome(principal: Principal, id: string, dto: RecordOutcomeDto, now = this.clock.now()): Promise<OutcomeView> {
    return this.dataSource.transaction(async (manager) => {
      const booking = await this.visibleBooking(manager, principal, id, true);
      if (booking.status !== 'booked') throw new AppError(409, 'BOOKING_CANCELLED', 'The booking was cancelled; it has no outcome');
      if (booking.starts_at.getTime() > now) throw new AppError(409, 'TOO_EARLY', 'The appointment has not started yet');
      const note = dto.note ?? null;
      if (booking.outcome === dto.outcome && booking.outcome_note === note) {
        return { bookingId: id, outcome: booking.outcome, note, recordedAt: booking.outcome_at!.toISOString(), previous: null };
      }
      return this.setOutcome(manager, id, dto.outcome, note, booking.outcome, now, actorOf(principal));
    });
  }

  /** The caller holds the booking's row lock. */
  async setOutcome(manager: EntityManager, id: string, outcome: Outcome, note: string | null, previous: Outcome | null, now: number, actor: Actor): Promise<OutcomeView> {
    await manager.query('UPDATE bookings SET outcome = $2, outcome_note = $3, outcome_at = $4, updated_at = now() WHERE id = $1', [id, outcome, note, new Date(now)]);
    await this.events.record(manager, { bookingId: id, kind: previous ? 'outcome_corrected' : 'outcome_recorded', at: now, actor, data: { outcome, note, previous } });
    return { bookingId: id, outcome, note, recordedAt: new Date(now).toISOString(), previous };
  }

  async history(principal: Principal, id: string): Promise<BookingHistoryView> {
    await this.visibleBooking(this.dataSource, principal, id, false);
    const rows: { kind: string; at: Date; actor_type: string; actor_id: string | null; data: Record<string, unknown> }[] = await this.dataSource.query(
      'SELECT kind, at, actor_type, actor_id, data FROM booking_events WHERE booking_id = $1 ORDER BY id',
      [id],
    );
    return {
      bookingId: id,
      events: rows.map((r) => ({ kind: r.kind, at: r.at.toISOString(), actor: { type: r.actor_type, organisationId: r.actor_id }, data: r.data })),
    };
  }

  /** Bookings at a site that have started, on a local day, with no outcome yet: the adviser's list to fill in. */
  async outcomesDue(principal: Principal, siteId: string, date: string | undefined, now = this.clock.now()): Promise<OutcomesDueView> {
    const site = await requireSite(this.dataSource, siteId);
    const day = date ?? localDateOf(now, site.timezone);
    const { start, end } = localDay(site.timezone, day);
    const rows: { id: string; code: string; adviser_id: string; starts_at: Date; ends_at: Date; reference: string; name: string }[] = await this.dataSource.query(
      `SELECT b.id, t.code, b.adviser_id, b.starts_at, b.ends_at, c.reference, c.name
         FROM bookings b
         JOIN advisers a ON a.id = b.adviser_id
         JOIN customers c ON c.id = b.customer_id
         JOIN appointment_types t ON t.id = b.appointment_type_id
        WHERE b.site_id = $1 AND ${MAY_SEE} AND b.status = 'booked' AND b.outcome IS NULL
          AND b.starts_at >= $3 AND b.starts_at < least($4::timestamptz, $5::timestamptz)
        ORDER BY b.starts_at, b.adviser_id`,
      [siteId, principal.admin ? null : principal.organisationId, new Date(start), new Date(end), new Date(now)],
    );
    return {
      siteId,
      date: day,
      bookings: rows.map((r) => ({
        bookingId: r.id,
        appointmentType: r.code,
        adviserId: r.adviser_id,
        start: formatInstant(r.starts_at.getTime(), site.timezone),
        end: formatInstant(r.ends_at.getTime(), site.timezone),
        customerReference: r.reference,
        customerName: r.name,
      })),
    };
  }

  async policy(siteId: string): Promise<AttendancePolicyView> {
    const [row] = await this.dataSource.query(
      'SELECT s.id, p.auto_dna_after_hours FROM sites s LEFT JOIN attendance_policies p ON p.site_id = s.id WHERE s.id = $1',
      [siteId],
    );
    if (!row) throw notFound('site', siteId);
    return { siteId, autoDnaAfterHours: row.auto_dna_after_hours };
  }

  async savePolicy(siteId: string, dto: AttendancePolicyDto): Promise<AttendancePolicyView> {
    await requireSite(this.dataSource, siteId);
    await this.dataSource.query(
      `INSERT INTO attendance_policies (site_id, auto_dna_after_hours, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (site_id) DO UPDATE SET auto_dna_after_hours = excluded.auto_dna_after_hours, updated_at = excluded.updated_at`,
      [siteId, dto.autoDnaAfterHours, this.clock.date()],
    );
    return { siteId, autoDnaAfterHours: dto.autoDnaAfterHours };
  }
}
