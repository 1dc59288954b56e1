import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { SYSTEM } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { AttendanceService } from './attendance.service';

const BATCH = 500;
const EVERY_MS = 5 * 60_000;

/**
 * Records 'dna' for past bookings with no outcome at sites that ask for it, a set number of
 * hours after the appointment ends. Every process that sends reminders runs it: rows are
 * claimed with SKIP LOCKED and only while they still have no outcome, so sweeps running at
 * once on several instances, or twice, record each booking once, and an adviser recording
 * the real outcome at the same moment is never overwritten.
 */
@Injectable()
export class AutoDnaSweep {
  private readonly logger = new Logger(AutoDnaSweep.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly attendance: AttendanceService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval(EVERY_MS)
  async onSchedule(): Promise<void> {
    if (!this.config.RUN_WORKER) return;
    try {
      const recorded = await this.sweep();
      if (recorded) this.logger.log(`Recorded ${recorded} DNA outcome(s) automatically`);
    } catch (error) {
      this.logger.warn(`Automatic DNA sweep failed; it runs again in ${EVERY_MS / 60_000} minutes: ${(error as Error).message}`);
    }
  }

  /** Returns how many bookings it recorded. */
  async sweep(now = this.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const recorded = await this.dataSource.transaction(async (manager) => {
        const due: { id: string }[] = await manager.query(
          `SELECT b.id FROM bookings b JOIN attendance_policies p ON p.site_id = b.site_id
            WHERE p.auto_dna_after_hours IS NOT NULL AND b.status = 'booked' AND b.outcome IS NULL
              AND b.ends_at <= $1::timestamptz - make_interval(hours => p.auto_dna_after_hours)
            ORDER BY b.id LIMIT ${BATCH}
              FOR NO KEY UPDATE OF b SKIP LOCKED`,
          [new Date(now)],
        );
        for (const { id } of due) await this.attendance.setOutcome(manager, id, 'dna', null, null, now, SYSTEM);
        return due.length;
      });
      total += recorded;
      if (recorded < BATCH) return total;
    }
  }
}
