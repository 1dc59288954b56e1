import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { REMINDER_QUEUE } from '../../src/reminders/outbox.relay';
import { WEBHOOK_QUEUE } from '../../src/webhooks/webhook.dispatcher';

/** The app's configuration under the benchmarks: the environment's, with what they always set. */
export function benchAppConfig(): AppConfig {
  return loadConfig({
    // The load generator books with one partner key: at the limits a partner gets by default
    // the benchmark would measure the rate limiter. Set either to measure with it.
    RATE_LIMIT_BURST: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...process.env,
    LOG_LEVEL: 'error',
    PORT: '0',
    // The deployed stack's queues by default; 'postgres' measures the embedded one.
    QUEUE_BACKEND: process.env.BENCH_QUEUE_BACKEND ?? 'redis',
  });
}

/** The queues the app's background work goes through. */
export const APP_QUEUES = [REMINDER_QUEUE, WEBHOOK_QUEUE];

/**
 * Removes a run's queues from Redis once every process of the app has closed (the prefix is
 * the run's own: ServerHandle); on PostgreSQL they go with the run's database.
 */
export async function dropRunQueues(config: Pick<AppConfig, 'QUEUE_BACKEND' | 'REDIS_URL' | 'QUEUE_PREFIX'>): Promise<void> {
  if (config.QUEUE_BACKEND !== 'redis') return;
  const connection = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: null });
  try {
    for (const name of APP_QUEUES) {
      const queue = new Queue(name, { connection, prefix: config.QUEUE_PREFIX });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  } finally {
    connection.disconnect();
  }
}
