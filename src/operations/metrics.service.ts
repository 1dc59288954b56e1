import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AnyQueue, Queues } from '../common/queue/queues';
import { REMINDER_QUEUE, ReminderJob } from '../reminders/outbox.relay';

const JOB_STATES = ['waiting', 'delayed', 'active', 'failed', 'completed'] as const;
const CHANNELS = ['sms', 'email'] as const;
// Those the CHECK on reminders.status allows, so that a status without rows reads 0
// instead of vanishing, which an alert on an absent series would take for an outage.
const REMINDER_STATUSES = ['planned', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded'];

// Well inside Prometheus's default 10 s scrape timeout, so that a datastore that hangs
// costs its own samples rather than the whole scrape.
const READ_TIMEOUT_MS = 2_000;

type JobCounts = Record<(typeof JOB_STATES)[number], number>;

interface DatabaseFigures {
  messages: { channel: string; sent: number; failed: number }[];
  reminders: { status: string; n: number; pending: number }[];
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Prometheus metrics of one application instance. Reminder and message figures are read
 * from PostgreSQL and the queue at scrape time, not counted in memory, so they are right
 * whichever process (this one or `node dist/worker.js`) did the work, and every replica
 * reports the same totals. The registry is the instance's own: the tests run several
 * applications in one process, and prom-client's global registry refuses a name twice.
 */
@Injectable()
export class MetricsService {
  private readonly processMetrics = new Registry();
  private readonly queue: AnyQueue<ReminderJob>;

  constructor(
    private readonly dataSource: DataSource,
    queues: Queues,
  ) {
    collectDefaultMetrics({ register: this.processMetrics });
    this.queue = queues.queue<ReminderJob>(REMINDER_QUEUE);
  }

  /** The exposition text. A datastore that is down leaves its samples out (and its *_up gauge at 0) rather than failing the scrape. */
  async scrape(): Promise<string> {
    const [jobs, figures] = await Promise.all([this.jobCounts(), this.databaseFigures()]);
    // Built afresh each time, so that what could not be read is absent, not last scrape's
    // value (prom-client would keep an unlabelled gauge at 0 after a reset), and so that
    // overlapping scrapes never write into each other's metrics.
    const registers = [new Registry()];
    new Gauge({ name: 'careers_queue_up', help: '1 if the queue datastore answered this scrape, else 0', registers }).set(jobs ? 1 : 0);
    if (jobs) {
      const gauge = new Gauge({ name: 'careers_reminder_jobs', help: 'Reminder jobs in the BullMQ queue, by state', labelNames: ['state'], registers });
      for (const state of JOB_STATES) gauge.set({ state }, jobs[state]);
    }
    new Gauge({ name: 'careers_database_up', help: '1 if PostgreSQL answered this scrape, else 0', registers }).set(figures ? 1 : 0);
    if (figures) {
      // Counters although they are read, not incremented: the totals only grow, and rate() should treat them so.
      const sent = new Counter({ name: 'careers_messages_sent_total', help: 'Messages a provider accepted, by channel', labelNames: ['channel'], registers });
      const failed = new Counter({ name: 'careers_messages_failed_total', help: 'Messages that failed or were reported undelivered, by channel', labelNames: ['channel'], registers });
      for (const channel of CHANNELS) {
        const row = figures.messages.find((m) => m.channel === channel);
        sent.inc({ channel }, row?.sent ?? 0);
        failed.inc({ channel }, row?.failed ?? 0);
      }
      const reminders = new Gauge({ name: 'careers_reminders', help: 'Reminder steps, by status', labelNames: ['status'], registers });
      for (const status of REMINDER_STATUSES) reminders.set({ status }, 0);
      for (const row of figures.reminders) reminders.set({ status: row.status }, row.n);
      new Gauge({ name: 'careers_outbox_pending', help: 'Reminder rows not yet handed to (or withdrawn from) the queue', registers }).set(
        figures.reminders.reduce((sum, row) => sum + row.pending, 0),
      );
    }
    return Registry.merge([this.processMetrics, ...registers]).metrics();
  }

  private async jobCounts(): Promise<JobCounts | null> {
    try {
      const counts = await within(this.queue.getJobCounts(...JOB_STATES), READ_TIMEOUT_MS, 'The queue');
      return Object.fromEntries(JOB_STATES.map((state) => [state, counts[state] ?? 0])) as JobCounts;
    } catch {
      return null;
    }
  }

  private async databaseFigures(): Promise<DatabaseFigures | null> {
    try {
      const [messages, reminders] = await within(
        Promise.all([
          this.dataSource.query<DatabaseFigures['messages']>(
            `SELECT channel, count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent,
                    count(*) FILTER (WHERE status IN ('failed', 'undelivered'))::int AS failed
               FROM messages GROUP BY channel`,
          ),
          this.dataSource.query<DatabaseFigures['reminders']>(
            `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE relay <> 'done')::int AS pending FROM reminders GROUP BY status`,
          ),
        ]),
        READ_TIMEOUT_MS,
        'PostgreSQL',
      );
      return { messages, reminders };
    } catch {
      return null;
    }
  }
}
