import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BookingEvents, SYSTEM } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { formatInstant } from '../common/time/local-time';
import { Interval } from '../diaries/domain/availability';
import { AffectedBookingView } from './dto/bookings.dto';

/**
 * Marks bookings that a closure or an absence now covers. They are never deleted: each is
 * a customer who must be told and offered another time.
 */
@Injectable()
export class RebookingService {
  constructor(
    private readonly events: BookingEvents,
    private readonly clock: Clock,
  ) {}

  /** `cause` names the closure or absence, for each booking's history. */
  async flag(manager: EntityManager, scope: { siteId: string } | { adviserId: string }, period: Interval, cause: { closureId: string } | { absenceId: string }): Promise<AffectedBookingView[]> {
    const column = 'siteId' in scope ? 'site_id' : 'adviser_id';
    const params = ['siteId' in scope ? scope.siteId : scope.adviserId, new Date(period.start), new Date(period.end)];
    // Row locks in id order first, so that a closure and an absence flagging the same
    // bookings queue rather than deadlock.
    await manager.query(
      `SELECT id FROM bookings b WHERE b.${column} = $1 AND b.status = 'booked' AND b.starts_at < $3 AND b.ends_at > $2 ORDER BY id FOR NO KEY UPDATE`,
      params,
    );
    const [rows]: [{ id: string; site_id: string; adviser_id: string; starts_at: Date; ends_at: Date; reference: string; timezone: string }[], number] = await manager.query(
      `UPDATE bookings b SET needs_rebooking = true, updated_at = now()
         FROM customers c, sites s
        WHERE c.id = b.customer_id AND s.id = b.site_id AND b.${column} = $1 AND b.status = 'booked'
          AND b.starts_at < $3 AND b.ends_at > $2
      RETURNING b.id, b.site_id, b.adviser_id, b.starts_at, b.ends_at, c.reference, s.timezone`,
      // An UPDATE answers [rows, count] through TypeORM.
      params,
    );
    for (const row of rows) await this.events.record(manager, { bookingId: row.id, kind: 'flagged_for_rebooking', at: this.clock.now(), actor: SYSTEM, data: cause });
    return rows
      .sort((a, b) => a.starts_at.getTime() - b.starts_at.getTime())
      .map((r) => ({
        id: r.id,
        siteId: r.site_id,
        adviserId: r.adviser_id,
        start: formatInstant(r.starts_at.getTime(), r.timezone),
        end: formatInstant(r.ends_at.getTime(), r.timezone),
        customerReference: r.reference,
      }));
  }
}
