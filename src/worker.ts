import { constants } from 'node:os';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './common/config/config';

/**
 * The reminder worker on its own: `node dist/worker.js` (npm run worker). It sends the
 * reminders BullMQ hands it and relays the outbox, and serves no HTTP: the application
 * runs as a Nest application context, in which the controllers are never mounted.
 *
 * RUN_WORKER is forced true here, whatever the environment says. To run the API without
 * a worker of its own, start it with RUN_WORKER=false (`RUN_WORKER=false npm start`) and
 * run as many of these as needed beside it, on the same configuration: the same
 * DATABASE_URL, REDIS_URL (or QUEUE_BACKEND=postgres), QUEUE_PREFIX, TWILIO_* / SMTP_URL,
 * and the API's PUBLIC_BASE_URL, which Twilio's status callbacks are addressed to.
 *
 * SIGTERM or SIGINT stops it gracefully: no new jobs are taken, those under way finish
 * (a provider call is bounded by its own timeout), then connections close. A second signal
 * stops it at once; that is safe too, since a message is claimed in the database before
 * the provider is called and a worker that picks up the stalled job never sends it again.
 */

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

async function main() {
  const config = { ...loadConfig(), RUN_WORKER: true };
  const app = await NestFactory.createApplicationContext(AppModule.with(config), { logger: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1) });
  // Nest closes the application (workers, queues, the database pool) on these signals and
  // then exits with 0 (rather than re-raise the signal, which would reach the listener
  // below); a signal that comes while it closes, Nest ignores, so that one is ours.
  app.enableShutdownHooks(SIGNALS, { useProcessExit: true });
  const logger = new Logger('Worker');
  let stopping = false;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn(`${signal} again: stopping now`);
        process.exit(128 + constants.signals[signal]);
      }
      stopping = true;
      logger.log(`${signal}: finishing the jobs under way, then stopping (${signal} again to stop at once)`);
    });
  }
  // The reminder processor has logged where SMS and email go (at LOG_LEVEL log and above).
  console.log(`Reminder worker running: queue ${config.QUEUE_BACKEND === 'redis' ? `on Redis, prefix "${config.QUEUE_PREFIX}"` : 'on PostgreSQL'}, concurrency ${config.WORKER_CONCURRENCY}, no HTTP`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
