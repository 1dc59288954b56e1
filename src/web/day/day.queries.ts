import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Outcome } from '../../attendance/domain/outcomes';
import type { ReminderStep } from './reminder-status';

export interface AdviserSession {
  id: string;
  start: Date;
  end: Date;
  capacity: number;
  siteName: string;
  timezone: string;
  typeName: string;
  /** Active bookings, extras admitted beyond capacity included. */
  booked: number;
}

export interface AdviserBooking {
  id: string;
  sessionId: string;
  start: Date;
  customerName: string;
  customerReference: string;
  showProbability: number | null;
  overbooked: boolean;
  outcome: Outcome | null;
  reminders: ReminderStep[];
}

/**
 * An adviser's own diary as it stands: their sessions and the bookings in them, whichever
 * organisation made them. The attendance feature lets an adviser's provider record these
 * outcomes, so the provider's adviser may see them.
 */
@Injectable()
export class DayQueries {
  constructor(private readonly dataSource: DataSource) {}

  async sessions(adviserId: string, from: number, to: number): Promise<AdviserSession[]> {
    return this.dataSource.query(
      `SELECT s.id, s.starts_at AS start, s.ends_at AS "end", s.capacity, st.name AS "siteName", st.timezone, t.name AS "typeName",
              (SELECT count(*)::int FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked
         FROM sessions s JOIN sites st ON st.id = s.site_id JOIN appointment_types t ON t.id = s.appointment_type_id
        WHERE s.adviser_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
        ORDER BY s.starts_at`,
      [adviserId, new Date(from), new Date(to)],
    );
  }

  async bookings(sessionIds: string[]): Promise<AdviserBooking[]> {
    if (!sessionIds.length) return [];
    const rows: (Omit<AdviserBooking, 'reminders'> & { reminders: { step: string; sendAt: string | null; status: string }[] })[] = await this.dataSource.query(
      `SELECT b.id, b.session_id AS "sessionId", b.starts_at AS start, c.name AS "customerName", c.reference AS "customerReference",
              b.show_probability AS "showProbability", b.overbooked, b.outcome,
              coalesce((SELECT json_agg(json_build_object('step', r.step, 'sendAt', r.send_at, 'status', r.status)) FROM reminders r WHERE r.booking_id = b.id), '[]') AS reminders
         FROM bookings b JOIN customers c ON c.id = b.customer_id
        WHERE b.session_id = ANY ($1) AND b.status = 'booked'
        ORDER BY b.starts_at, b.created_at, b.id`,
      [sessionIds],
    );
    return rows.map((r) => ({ ...r, reminders: r.reminders.map((s) => ({ ...s, sendAt: s.sendAt ? new Date(s.sendAt) : null })) }));
  }
}
