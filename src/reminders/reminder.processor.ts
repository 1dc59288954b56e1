import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { BookingEvents, SYSTEM } from '../common/events/booking-events';
import { Queues } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { EmailChannel, SmsChannel } from './channels/channel';
import { DeliveryResult, DeliveryService } from './delivery.service';
import { Batcher } from './domain/batcher';
import { REMINDER_QUEUE, ReminderJob } from './outbox.relay';

// How long a job waits for others to share its claim: a few milliseconds gather the jobs
// BullMQ hands over together when a batch completes, and cost a reminder nothing it notices.
const LINGER_MS = 3;

/**
 * The BullMQ worker for reminders, in the API process or in `node dist/worker.js`. Each job
 * is one step, but the steps of jobs running at once are claimed, sent and recorded
 * together, in batches of up to half the worker's concurrency: while one batch is with the
 * provider, the next is in the database. The provider sees SEND_CONCURRENCY calls at most,
 * so the concurrency can be well above it, for batches larger than the sends in flight.
 */
@Injectable()
export class ReminderProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReminderProcessor.name);
  private readonly batcher: Batcher<string, DeliveryResult>;

  constructor(
    private readonly queues: Queues,
    private readonly delivery: DeliveryService,
    private readonly dataSource: DataSource,
    private readonly sms: SmsChannel,
    private readonly email: EmailChannel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: BookingEvents,
    private readonly clock: Clock,
  ) {
    this.batcher = new Batcher((ids) => this.deliverBatch(ids), Math.ceil(config.WORKER_CONCURRENCY / 2), LINGER_MS);
  }

  /** A batch the database failed is tried again step by step, so that one bad step fails only its own job. */
  private async deliverBatch(ids: string[]): Promise<PromiseSettledResult<DeliveryResult>[]> {
    try {
      return await this.delivery.deliverAll(ids);
    } catch (error) {
      if (ids.length === 1) throw error;
      this.logger.warn(`A batch of ${ids.length} reminders failed (${(error as Error).message}); trying each alone`);
      return Promise.all(ids.map((id) => this.delivery.deliverAll([id]).then(([result]) => result, (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }))));
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.RUN_WORKER) return;
    // The queue's connection sets up the datastore first (on PostgreSQL, BullMQ's own
    // tables); a worker racing it there could wait on a half-made schema.
    await this.queues.queue(REMINDER_QUEUE).waitUntilReady().catch((error: Error) => this.logger.warn(`Reminder queue not reachable yet: ${error.message}`));
    const level = (description: string) => (description.includes('NO ') ? 'warn' : 'log');
    this.logger[level(this.sms.description)](`SMS go to ${this.sms.description}`);
    this.logger[level(this.email.description)](`Email goes to ${this.email.description}`);
    const worker = this.queues.worker<ReminderJob>(REMINDER_QUEUE, (job, token) => this.process(job, token), {
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: this.config.WORKER_LOCK_MS,
      // Taking over a dead worker's job is safe (the claim in PostgreSQL stops a second
      // send), so a job is not failed for stalling a couple of times.
      maxStalledCount: 10,
    });
    worker.on('error', (error) => this.logger.warn(`Reminder worker: ${error.message}`));
    worker.on('failed', (job, error) => this.failed(job, error).catch((e) => this.logger.error(e)));
  }

  async process(job: Job<ReminderJob>, token?: string): Promise<string> {
    const result = await this.batcher.submit(job.data.reminderId);
    if ('deferUntil' in result) {
      await job.moveToDelayed(result.deferUntil, token);
      throw new DelayedError();
    }
    return result.done;
  }

  /** After the last attempt, the step is recorded as failed rather than left planned. */
  private async failed(job: Job<ReminderJob> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.warn(`Reminder ${job.data.reminderId} failed after ${job.attemptsMade} attempts: ${error.message}`);
    await this.dataSource.transaction(async (manager) => {
      // An UPDATE answers [rows, count] through TypeORM.
      const [[failed]]: [{ booking_id: string; step: string }[], number] = await manager.query(
        `UPDATE reminders SET status = 'failed', reason = 'PROVIDER_UNAVAILABLE', updated_at = now() WHERE id = $1 AND status = 'planned' RETURNING booking_id, step`,
        [job.data.reminderId],
      );
      if (failed) await this.events.record(manager, { bookingId: failed.booking_id, kind: 'reminder_failed', at: this.clock.now(), actor: SYSTEM, data: { step: failed.step, reason: 'PROVIDER_UNAVAILABLE' } });
    });
  }
}
