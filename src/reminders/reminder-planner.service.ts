import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { runPrepared } from '../common/database/prepared';
import { cancellationWithheld, DEFAULT_REMINDER_POLICY, PlannedStep, planCancellation, planReminders, ReminderPolicy } from './domain/reminder-plan';
import { assignVariant } from './domain/templates';

export const POLICY_COLUMNS = `days_before AS "daysBefore", days_before_at AS "daysBeforeAt", hours_before AS "hoursBefore",
  quiet_from AS "quietFrom", quiet_until AS "quietUntil", minimum_gap_minutes AS "minimumGapMinutes"`;

const SITE_POLICY = { name: 'reminder_policies.of_site', text: `SELECT ${POLICY_COLUMNS} FROM reminder_policies WHERE site_id = $1` };

export async function reminderPolicy(manager: EntityManager, siteId: string): Promise<ReminderPolicy> {
  const [policy] = await runPrepared<ReminderPolicy>(manager, SITE_POLICY, [siteId]);
  return policy ?? DEFAULT_REMINDER_POLICY;
}

const INSERT_STEPS = {
  name: 'reminders.insert_steps',
  text: `INSERT INTO reminders (id, booking_id, version, step, send_at, status, reason, relay)
         SELECT id, $1, $2, step, send_at, CASE WHEN send_at IS NULL THEN 'skipped' ELSE 'planned' END, reason,
                CASE WHEN send_at IS NULL THEN 'done' ELSE 'add' END
           FROM unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::text[]) AS s(id, step, send_at, reason)`,
};

export interface PlannedBooking {
  id: string;
  siteId: string;
  start: Date;
  zone: string;
}

/**
 * Writes a booking's reminder plan inside the transaction that books, moves or cancels
 * it. The rows are the outbox: they commit or vanish with the booking, and the relay
 * hands them to BullMQ afterwards, whether or not the queue was up at booking time.
 */
@Injectable()
export class ReminderPlanner {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  variantFor(bookingId: string): string {
    return assignVariant(bookingId, this.config.MESSAGE_VARIANTS);
  }

  private async insert(manager: EntityManager, bookingId: string, version: number, steps: PlannedStep[]): Promise<void> {
    await runPrepared(manager, INSERT_STEPS, [
      bookingId,
      version,
      steps.map(() => randomUUID()),
      steps.map((s) => s.step),
      steps.map((s) => ('sendAt' in s ? new Date(s.sendAt) : null)),
      steps.map((s) => ('skipped' in s ? s.skipped : null)),
    ]);
  }

  /** The plan for a booking just made or moved (version 1, or the version it was moved to). */
  async plan(manager: EntityManager, booking: PlannedBooking, version: number, now: number): Promise<void> {
    const policy = await reminderPolicy(manager, booking.siteId);
    await this.insert(manager, booking.id, version, planReminders({ bookedAt: now, start: booking.start.getTime(), zone: booking.zone, policy }));
  }

  /**
   * Withdraws the steps not yet sent. One never handed to the queue is simply dropped;
   * one already there is removed by the relay, and the worker would skip it anyway.
   * Returns the new plan version.
   */
  async withdraw(manager: EntityManager, bookingId: string, status: 'cancelled' | 'superseded'): Promise<number> {
    await manager.query(
      `UPDATE reminders SET status = $2, updated_at = now(), relay = CASE relay WHEN 'add' THEN 'done' ELSE 'remove' END
        WHERE booking_id = $1 AND status = 'planned'`,
      [bookingId, status],
    );
    const [row] = await manager.query('UPDATE bookings SET plan_version = plan_version + 1 WHERE id = $1 RETURNING plan_version', [bookingId]);
    // TypeORM answers an UPDATE ... RETURNING as [rows, count].
    return row[0].plan_version;
  }

  /**
   * Word of a cancellation, under the version the cancellation raised; withheld (with its
   * reason) when the customer has heard nothing of the booking yet, or cancelled it by a
   * text whose answer told them.
   */
  async planCancellation(manager: EntityManager, booking: PlannedBooking, version: number, now: number, byTextReply = false): Promise<void> {
    const [told] = await manager.query(`SELECT 1 FROM reminders WHERE booking_id = $1 AND status IN ('sending', 'sent', 'unconfirmed') LIMIT 1`, [booking.id]);
    const withheld = cancellationWithheld({ anythingSent: !!told, byTextReply });
    const policy = await reminderPolicy(manager, booking.siteId);
    const step: PlannedStep = withheld ? { step: 'cancellation', skipped: withheld } : planCancellation({ cancelledAt: now, start: booking.start.getTime(), zone: booking.zone, policy });
    await this.insert(manager, booking.id, version, [step]);
  }
}
