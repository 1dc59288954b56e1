import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { PollLoop } from '../common/poll-loop';
import { Clock } from '../common/time/clock';
import { AnyQueue, Queues } from '../common/queue/queues';

export const REMINDER_QUEUE = 'reminders';
export interface ReminderJob {
  reminderId: string;
}

interface OutboxRow {
  id: string;
  booking_id: string;
  step: string;
  version: number;
  round: number;
  send_at: Date | null;
  relay: 'add' | 'remove';
}

const BATCH = 500;

/** Deterministic, so a row relayed twice (a crash between enqueue and commit) is one job. */
export const reminderJobId = (r: Pick<OutboxRow, 'booking_id' | 'step' | 'version' | 'round'>): string => `${r.booking_id}.${r.step}.${r.version}.${r.round}`;

/**
 * Hands reminder rows to BullMQ: delayed jobs for new steps, removals for withdrawn ones.
 * A row is marked done only after BullMQ has it, so any number of processes can relay at
 * once and a crash in between only means the row is relayed again. If the queue is down the batch rolls back and
 * is tried again, with a growing pause, until it is back.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly queue: AnyQueue<ReminderJob>;
  private readonly loop: PollLoop;

  constructor(
    private readonly dataSource: DataSource,
    queues: Queues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.queue = queues.queue<ReminderJob>(REMINDER_QUEUE);
    this.loop = new PollLoop({
      pass: async (stopping) => {
        while (!stopping() && (await this.relayBatch()) === BATCH);
      },
      intervalMs: config.RELAY_INTERVAL_MS,
      failed: (error, first) => {
        if (first) this.logger.warn(`Cannot hand reminders to the queue (${error.message}); they stay in the outbox and are retried`);
      },
      recovered: () => this.logger.log('Queue reachable again; reminders are being relayed'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
    this.kick();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Relays now (after a booking commits, say) rather than at the next tick. */
  kick(): void {
    this.loop.kick();
  }

  /**
   * One batch; returns how many rows it relayed. No lock is held while BullMQ is called
   * (on PostgreSQL, BullMQ may need a connection the lock holder would be waiting for), so
   * two processes can relay the same row: BullMQ ignores a job id it already has, and a
   * row is marked done only if nobody changed it meanwhile.
   */
  async relayBatch(now = this.clock.now()): Promise<number> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id, booking_id, step, version, round, send_at, relay FROM reminders WHERE relay <> 'done' ORDER BY created_at LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return 0;
    const adds = rows.filter((r) => r.relay === 'add');
    if (adds.length) {
      await this.queue.addBulk(
        adds.map((r) => ({
          name: r.step,
          data: { reminderId: r.id },
          opts: {
            jobId: reminderJobId(r),
            delay: Math.max(0, r.send_at!.getTime() - now),
            attempts: this.config.REMINDER_ATTEMPTS,
            backoff: { type: 'exponential', delay: this.config.REMINDER_BACKOFF_MS },
            removeOnComplete: { count: 5000 },
            removeOnFail: { count: 5000 },
          },
        })),
      );
    }
    // A job already running cannot be removed; the worker finds its reminder withdrawn and sends nothing.
    for (const r of rows.filter((row) => row.relay === 'remove')) await this.queue.remove(reminderJobId(r));
    // A row withdrawn while its job was being added keeps its job: the worker finds the step withdrawn.
    // The rows are locked in id order, the order in which a worker claims a batch of them,
    // so that marking them cannot deadlock with a worker already claiming the first jobs.
    await this.dataSource.query(
      `WITH relayed AS (
         SELECT r.id FROM reminders r JOIN unnest($1::uuid[], $2::text[], $3::int[]) AS x(id, relay, round) ON r.id = x.id
          WHERE r.relay = x.relay AND r.round = x.round
          ORDER BY r.id FOR UPDATE OF r)
       UPDATE reminders r SET relay = 'done' FROM relayed WHERE r.id = relayed.id`,
      [rows.map((r) => r.id), rows.map((r) => r.relay), rows.map((r) => r.round)],
    );
    return rows.length;
  }
}
