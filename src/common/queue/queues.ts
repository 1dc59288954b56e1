import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createPostgresBackend, Processor, Queue, Worker, WorkerOptions, withBackend } from 'bullmq';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';

/** The schema BullMQ's PostgreSQL backend keeps its tables in, apart from ours. */
export const BULLMQ_SCHEMA = 'bullmq';

// Queue and Worker as the rest of the code sees them, whichever backend is behind.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyQueue<D> = Queue<D, any, string, any, any, any, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWorker<D> = Worker<D, any, string, any, any, any>;

/**
 * Every BullMQ queue and worker of the process, on Redis or (QUEUE_BACKEND=postgres) on
 * PostgreSQL. Producers fail fast when the datastore is down, so the outbox relay finds
 * out and retries instead of piling commands up in memory; workers wait for it to return.
 */
@Injectable()
export class Queues implements OnApplicationShutdown {
  private readonly queues = new Map<string, AnyQueue<unknown>>();
  private readonly workers: AnyWorker<unknown>[] = [];
  private readonly redis: IORedis[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private redisConnection(forWorker: boolean): IORedis {
    const connection = new IORedis(this.config.REDIS_URL, forWorker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled 'error'.
    connection.on('error', () => undefined);
    this.redis.push(connection);
    return connection;
  }

  // BullMQ creates and upgrades its own tables in its schema (migrate: true), apart from our migrations.
  private get postgres() {
    return { classes: withBackend(createPostgresBackend), connection: { connectionString: this.config.DATABASE_URL, schema: BULLMQ_SCHEMA, max: 4, migrate: true } };
  }

  queue<D>(name: string): AnyQueue<D> {
    let queue = this.queues.get(name);
    if (!queue) {
      if (this.config.QUEUE_BACKEND === 'postgres') {
        const { classes, connection } = this.postgres;
        queue = new classes.Queue(name, { connection }) as AnyQueue<unknown>;
      } else {
        queue = new Queue(name, { connection: this.redisConnection(false), prefix: this.config.QUEUE_PREFIX }) as AnyQueue<unknown>;
      }
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue as AnyQueue<D>;
  }

  worker<D>(name: string, processor: Processor<D>, options: Omit<WorkerOptions, 'connection'>): AnyWorker<D> {
    let worker: AnyWorker<D>;
    if (this.config.QUEUE_BACKEND === 'postgres') {
      const { classes, connection } = this.postgres;
      worker = new classes.Worker<D>(name, processor, { ...options, connection }) as AnyWorker<D>;
    } else {
      worker = new Worker<D>(name, processor, { ...options, connection: this.redisConnection(true), prefix: this.config.QUEUE_PREFIX }) as AnyWorker<D>;
    }
    this.workers.push(worker as AnyWorker<unknown>);
    return worker;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.redis.forEach((r) => r.disconnect());
  }
}
