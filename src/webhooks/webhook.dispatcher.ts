import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { PollLoop } from '../common/poll-loop';
import { AnyQueue, Queues } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { webhookBody, webhookId } from './domain/events';
import { disableReason, MAX_ATTEMPTS, retryDelay } from './domain/retries';
import { signedHeaders, signingSecrets } from './domain/signing';
import { postWebhook, PostOutcome, Resolver } from './safe-post';
import { WEBHOOK_RESOLVER } from './webhooks.service';

export const WEBHOOK_QUEUE = 'webhooks';
export interface WebhookJob {
  deliveryId: string;
  round: number;
}

const BATCH = 500;

/** A failed attempt, carrying the receiver's Retry-After to the backoff strategy. */
class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

interface DeliveryFacts {
  status: string;
  round: number;
  event_id: string;
  type: string;
  occurred_at: Date;
  seq: string;
  data: Record<string, unknown>;
  endpoint_id: string;
  url: string;
  endpoint_status: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
}

/**
 * Sends webhooks where reminders are sent (RUN_WORKER), in as many processes as there are.
 *
 * Order per booking: a delivery is handed to BullMQ only once every earlier delivery of the
 * same booking to the same endpoint has settled (delivered, or failed after its whole
 * schedule), so a receiver never sees event N+1 of a booking before N has been acknowledged
 * or given up on. Each event also carries data.sequence.
 *
 * At least once: the delivery row is written with the booking; it is queued with a job id
 * of its own (a row relayed twice is one job), and marked delivered only after a 2xx. A
 * worker that dies mid-attempt leaves the job to BullMQ's stalled-job check, which runs it
 * again: the receiver may see a webhook-id twice, never zero times.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  // Made at bootstrap, and only where webhooks are sent: an unused queue would still hold a connection.
  private queue!: AnyQueue<WebhookJob>;
  private readonly loop: PollLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: Queues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(WEBHOOK_RESOLVER) private readonly resolve: Resolver,
  ) {
    this.loop = new PollLoop({
      pass: () => this.relay(),
      intervalMs: config.RELAY_INTERVAL_MS,
      failed: (error, first) => {
        if (first) this.logger.warn(`Cannot hand webhooks to the queue (${error.message}); they stay in the outbox and are retried`);
      },
      recovered: () => this.logger.log('Webhook queue reachable again'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.RUN_WORKER) return;
    this.queue = this.queues.queue<WebhookJob>(WEBHOOK_QUEUE);
    await this.queue.waitUntilReady().catch((error: Error) => this.logger.warn(`Webhook queue not reachable yet: ${error.message}`));
    const worker = this.queues.worker<WebhookJob>(WEBHOOK_QUEUE, (job) => this.process(job), {
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: this.config.WORKER_LOCK_MS,
      maxStalledCount: 10,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
          retryDelay({ attemptsMade, retryAfterMs: error instanceof AttemptFailed ? error.retryAfterMs : null, random: Math.random(), scale: this.config.WEBHOOK_RETRY_SCALE }),
      },
    });
    worker.on('error', (error) => this.logger.warn(`Webhook worker: ${error.message}`));
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Hands every delivery that may go now to BullMQ; returns how many. */
  async relay(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: { id: string; round: number }[] = await this.dataSource.query(
        `SELECT d.id, d.round FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.status = 'pending' AND d.queued_round < d.round AND e.status = 'enabled'
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                             WHERE p.endpoint_id = d.endpoint_id AND p.booking_id = d.booking_id AND p.status = 'pending' AND p.seq < d.seq)
          ORDER BY d.seq LIMIT ${BATCH}`,
      );
      if (!rows.length) return total;
      await this.queue.addBulk(
        rows.map((r) => ({
          name: 'deliver',
          data: { deliveryId: r.id, round: r.round },
          opts: { jobId: `${r.id}.${r.round}`, attempts: MAX_ATTEMPTS, backoff: { type: 'webhook' }, removeOnComplete: { count: 5000 }, removeOnFail: { count: 5000 } },
        })),
      );
      await this.dataSource.query(
        `UPDATE webhook_deliveries d SET queued_round = x.round FROM unnest($1::uuid[], $2::int[]) AS x(id, round) WHERE d.id = x.id AND d.round = x.round`,
        [rows.map((r) => r.id), rows.map((r) => r.round)],
      );
      total += rows.length;
      if (rows.length < BATCH) return total;
    }
  }

  /** One attempt. Throws (so BullMQ retries on the schedule) unless it settled the delivery or there is nothing to do. */
  async process(job: Job<WebhookJob>): Promise<string> {
    const { deliveryId, round } = job.data;
    const [facts]: DeliveryFacts[] = await this.dataSource.query(
      `SELECT d.status, d.round, d.event_id, ev.type, ev.occurred_at, ev.seq, ev.data, e.id AS endpoint_id, e.url, e.status AS endpoint_status, e.secret, e.previous_secret, e.previous_secret_until
         FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    // Deleted with its endpoint, settled, or replayed since: a later round's job sends it.
    if (!facts || facts.status !== 'pending' || facts.round !== round) return 'stale';
    // Stays pending; enabling the endpoint sends it in a new round.
    if (facts.endpoint_status !== 'enabled') return 'endpoint disabled';

    const now = this.clock.now();
    const id = webhookId(facts.event_id);
    const body = webhookBody({ type: facts.type, occurredAt: facts.occurred_at.getTime(), sequence: Number(facts.seq), data: facts.data });
    const secrets = signingSecrets(facts.secret, facts.previous_secret, facts.previous_secret_until?.getTime() ?? null, now);
    const outcome = await postWebhook(facts.url, { ...signedHeaders(secrets, id, now, body) }, body, {
      timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
      allowLoopback: this.config.WEBHOOKS_ALLOW_LOOPBACK,
      resolve: this.resolve,
    });
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const settled = await this.record(deliveryId, round, facts.endpoint_id, outcome, now, last);
    if (settled !== 'retry') {
      // The next delivery of the booking to this endpoint may go now.
      this.loop.kick();
      return settled;
    }
    throw new AttemptFailed(outcome.error ?? `HTTP ${outcome.statusCode}`, outcome.retryAfterMs);
  }

  /** The attempt, logged, and what follows from it for the delivery and the endpoint, in one transaction. */
  private async record(deliveryId: string, round: number, endpointId: string, outcome: PostOutcome, now: number, last: boolean): Promise<'delivered' | 'failed' | 'disabled' | 'retry' | 'stale'> {
    const at = new Date(now);
    return this.dataSource.transaction(async (manager) => {
      // The endpoint's row first, in the order a DELETE of the endpoint takes them (endpoint, then
      // its deliveries by cascade): taking the delivery's first (the attempt's foreign key does)
      // and the endpoint's second deadlocked with a delete made while an attempt was in flight.
      const [locked]: unknown[] = await manager.query('SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR NO KEY UPDATE', [endpointId]);
      if (!locked) return 'stale';
      await manager.query(
        'INSERT INTO webhook_attempts (delivery_id, round, attempted_at, duration_ms, status_code, error) VALUES ($1, $2, $3, $4, $5, $6)',
        [deliveryId, round, at, outcome.durationMs, outcome.statusCode, outcome.error],
      );
      if (outcome.ok) {
        await manager.query(`UPDATE webhook_deliveries SET status = 'delivered', settled_at = $2 WHERE id = $1 AND round = $3`, [deliveryId, at, round]);
        await manager.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [endpointId]);
        return 'delivered';
      }
      const [[endpoint]]: [{ failing_since: Date }[], number] = await manager.query(
        'UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING failing_since',
        [endpointId, at],
      );
      const reason = endpoint ? disableReason({ failingSince: endpoint.failing_since.getTime(), now, statusCode: outcome.statusCode }) : null;
      if (reason) {
        await manager.query(`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, disabled_at = $3, updated_at = $3 WHERE id = $1 AND status = 'enabled'`, [endpointId, reason, at]);
        this.logger.warn(`Webhook endpoint ${endpointId} disabled: ${reason}`);
        return 'disabled';
      }
      if (!last) return 'retry';
      await manager.query(`UPDATE webhook_deliveries SET status = 'failed', settled_at = $2 WHERE id = $1 AND round = $3`, [deliveryId, at, round]);
      return 'failed';
    });
  }
}
