/**
 * Reminder dispatch benchmark, with BullMQ's own ceiling in the same run:  npm run bench:reminders
 *
 * On a fresh database (careers_booking_bench_reminders) with N bookings whose confirmation
 * is due now, each round:
 *   1. relay: the outbox rows are handed to BullMQ by OutboxRelay (as after a booking), timed;
 *   2. dispatch: the reminder worker (the application's own ReminderProcessor and
 *      DeliveryService, which claim, send and record the steps of jobs running at once in
 *      batches, through the real twilio library) sends them all to the Twilio stand-in,
 *      which runs in a child process; timed from the worker's start until every reminder
 *      is settled;
 *   3. ceiling: the same number of jobs on another queue, processed by a BullMQ worker of
 *      the same concurrency whose processor does nothing;
 *   4. provider alone: the same number of SMS sent straight through the twilio library to the
 *      stand-in, CONCURRENCY at a time, with no queue and no database: what sending costs,
 *      and the ceiling the goal is set against (dispatch at 50 % of it or more).
 * The worker takes WORKER_CONCURRENCY jobs at once (the app's default unless
 * BENCH_WORKER_CONCURRENCY) but, as SEND_CONCURRENCY = CONCURRENCY, never has more than
 * CONCURRENCY SMS in flight, as the provider alone: the peak it reached is counted and printed.
 * Rounds alternate dispatch and ceiling so both meet the same background load. Afterwards,
 * duplicates are checked three ways: messages per reminder in PostgreSQL, SMS received by
 * the stand-in, and distinct recipients there.
 * BENCH_REMINDERS (3000), BENCH_ROUNDS (3), BENCH_CONCURRENCY (20, SMS in flight), BENCH_WORKER_CONCURRENCY
 * (the app's default) and BENCH_POOL (10) change the run.
 * Prints Markdown tables and writes bench/results/reminders-<time>.json. Never asserts.
 */
import './lib/paths';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadConfig, loadDefaults } from '../src/common/config/config';
import { migrate } from '../src/common/database/migrator';
import { Queues } from '../src/common/queue/queues';
import { OutboxRelay, REMINDER_QUEUE, ReminderJob } from '../src/reminders/outbox.relay';
import { OutgoingSms, SmsChannel } from '../src/reminders/channels/channel';
import { TwilioSms } from '../src/reminders/channels/twilio.sms';
import { ReminderProcessor } from '../src/reminders/reminder.processor';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM } from '../test/support/twilio-stand-in';
import { recreateDatabase, withClient } from './lib/db';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { fmt, sleep, table } from './lib/stats';

const DB = 'careers_booking_bench_reminders';
const N = Number(process.env.BENCH_REMINDERS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? loadDefaults().WORKER_CONCURRENCY);
const POOL = Number(process.env.BENCH_POOL ?? 10);

interface Round {
  round: number;
  relaySeconds: number;
  dispatchSeconds: number;
  dispatchPerMinute: number;
  ceilingSeconds: number;
  ceilingPerMinute: number;
  ratio: number;
  providerSeconds: number;
  providerPerMinute: number;
}

/** N bookings, one an hour for one adviser, each with its confirmation due now. */
async function seed(url: string, round: number): Promise<void> {
  await withClient(url, async (c) => {
    if (round === 0) {
      await c.query(`
        INSERT INTO organisations (id, name, kind) VALUES ('00000000-0000-4000-8000-000000000001', 'Bench provider', 'provider');
        INSERT INTO sites (id, name, kind, address, postcode) VALUES ('00000000-0000-4000-8000-000000000002', 'Lewisham Jobcentre', 'jobcentre', '1 Rushey Green, London', 'SE6 4AS');
        INSERT INTO appointment_types (id, code, name, duration_minutes, capacity, channel) VALUES ('00000000-0000-4000-8000-000000000003', 'CAREERS_GUIDANCE', 'Careers guidance', 60, 1, 'face_to_face');
        INSERT INTO advisers (id, name, email, organisation_id) VALUES ('00000000-0000-4000-8000-000000000004', 'Priya Shah', 'priya@careers.example', '00000000-0000-4000-8000-000000000001');
        -- No quiet hours in the way, whatever the hour of the run.
        INSERT INTO reminder_policies (site_id, days_before, days_before_at, hours_before, quiet_from, quiet_until, minimum_gap_minutes)
        VALUES ('00000000-0000-4000-8000-000000000002', 2, '10:00', 3, '03:00', '03:01', 60);`);
    }
    await c.query(
      `WITH slots AS (
         SELECT i, gen_random_uuid() AS session_id, gen_random_uuid() AS customer_id, gen_random_uuid() AS booking_id,
                timestamptz '2027-01-04 09:00Z' + (($1::int * $2::int + i) * interval '1 hour') AS starts_at
           FROM generate_series(0, $2::int - 1) AS i),
       s AS (INSERT INTO sessions (id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, busy, capacity)
             SELECT session_id, '00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003',
                    starts_at, starts_at + interval '1 hour', tstzrange(starts_at, starts_at + interval '1 hour'), 1 FROM slots),
       c AS (INSERT INTO customers (id, client_id, reference, name, mobile, preferred_channel, consent_to_contact)
             SELECT customer_id, '00000000-0000-0000-0000-000000000000', 'B-' || $1 || '-' || i, 'Sam Taylor', '+447911' || lpad(($1::int * $2::int + i)::text, 6, '0'), 'sms', true FROM slots)
       INSERT INTO bookings (id, session_id, customer_id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, status, referral_source, arranged_at)
       SELECT booking_id, session_id, customer_id, '00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003',
              starts_at, starts_at + interval '1 hour', 'booked', 'jcp', now() FROM slots`,
      [round, N],
    );
    await c.query(
      `INSERT INTO reminders (id, booking_id, version, step, send_at, status, relay)
       SELECT gen_random_uuid(), b.id, 1, 'confirmation', now(), 'planned', 'add' FROM bookings b
        WHERE NOT EXISTS (SELECT 1 FROM reminders r WHERE r.booking_id = b.id)`,
    );
  });
}

async function standIn(): Promise<{ url: string; count: () => Promise<{ received: number; distinctRecipients: number }>; stop: () => void }> {
  const child = fork(join(__dirname, 'twilio-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  return {
    url,
    count: () => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as { received: number; distinctRecipients: number }));
      child.send('count');
    }),
    stop: () => child.kill(),
  };
}

async function main() {
  const url = await recreateDatabase(DB);
  await migrate(url);
  const twilio = await standIn();
  const config = loadConfig({
    DATABASE_URL: url,
    ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: `bench-${Date.now()}`,
    RUN_WORKER: 'false',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    SEND_CONCURRENCY: String(CONCURRENCY),
    DB_POOL_SIZE: String(POOL),
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM: TEST_FROM,
    TWILIO_API_URL: twilio.url,
    // The relay is started by hand below, once per round.
    RELAY_INTERVAL_MS: '60000',
  });
  const context = await NestFactory.createApplicationContext(AppModule.with(config), { logger: ['error', 'warn'] });
  await context.init();
  const dataSource = context.get(DataSource);
  const queues = context.get(Queues);
  const relay = context.get(OutboxRelay);
  const processor = context.get(ReminderProcessor);
  // The app's SMS in flight, counted where they enter the twilio library: never above CONCURRENCY, or the comparison is unfair.
  const appSms = context.get(SmsChannel);
  const send = appSms.send.bind(appSms);
  let inFlight = 0;
  let peakInFlight = 0;
  appSms.send = async (message: OutgoingSms) => {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    try {
      return await send(message);
    } finally {
      inFlight--;
    }
  };
  const settledCount = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM reminders WHERE status NOT IN ('planned', 'sending')`))[0].n);
  const rounds: Round[] = [];

  for (let round = 0; round < ROUNDS; round++) {
    await seed(url, round);
    const target = (round + 1) * N;

    let t0 = performance.now();
    while ((await relay.relayBatch()) > 0);
    const relaySeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    const worker = queues.worker<ReminderJob>(REMINDER_QUEUE, (job, token) => processor.process(job as Job<ReminderJob>, token), { concurrency: WORKER_CONCURRENCY });
    while ((await settledCount()) < target) await sleep(20);
    const dispatchSeconds = (performance.now() - t0) / 1000;
    await worker.close();

    const noop = queues.queue<{ i: number }>(`bench-noop-${round}`);
    for (let i = 0; i < N; i += 1000) await noop.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
    let done = 0;
    t0 = performance.now();
    const ceilingWorker = queues.worker(`bench-noop-${round}`, async () => undefined, { concurrency: WORKER_CONCURRENCY });
    ceilingWorker.on('completed', () => done++);
    while (done < N) await sleep(5);
    const ceilingSeconds = (performance.now() - t0) / 1000;
    await ceilingWorker.close();
    await noop.obliterate({ force: true });

    const sms = new TwilioSms({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, from: TEST_FROM, apiUrl: twilio.url, statusCallback: (id) => `http://127.0.0.1/status?messageId=${id}` });
    let nextSms = 0;
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextSms < N) await sms.send({ messageId: `p${round}-${nextSms}`, to: `+44770${round}${String(nextSms++).padStart(6, '0')}`, body: 'Provider-only baseline' });
      }),
    );
    const providerSeconds = (performance.now() - t0) / 1000;

    rounds.push({
      round: round + 1,
      relaySeconds,
      dispatchSeconds,
      dispatchPerMinute: (N / dispatchSeconds) * 60,
      ceilingSeconds,
      ceilingPerMinute: (N / ceilingSeconds) * 60,
      ratio: ceilingSeconds / dispatchSeconds,
      providerSeconds,
      providerPerMinute: (N / providerSeconds) * 60,
    });
    console.log(`round ${round + 1}: relay ${fmt(relaySeconds, 2)} s, dispatch ${fmt(dispatchSeconds, 2)} s, no-op ceiling ${fmt(ceilingSeconds, 2)} s, provider alone ${fmt(providerSeconds, 2)} s`);
  }

  const [checks] = await dataSource.query(`
    SELECT (SELECT count(*) FROM reminders) AS reminders,
           (SELECT count(*) FROM reminders WHERE status = 'sent') AS sent,
           (SELECT count(*) FROM messages) AS messages,
           (SELECT count(*) FROM (SELECT reminder_id FROM messages GROUP BY reminder_id, channel HAVING count(*) > 1) d) AS duplicate_claims,
           (SELECT count(DISTINCT provider_id) FROM messages) AS distinct_sids`);
  const standInCount = await twilio.count();
  await queues.queue(REMINDER_QUEUE).obliterate({ force: true });
  await context.close();
  twilio.stop();

  const total = (k: 'dispatchSeconds' | 'ceilingSeconds' | 'providerSeconds') => rounds.reduce((s, r) => s + r[k], 0);
  const overall = {
    dispatchPerMinute: (N * ROUNDS * 60) / total('dispatchSeconds'),
    ceilingPerMinute: (N * ROUNDS * 60) / total('ceilingSeconds'),
    providerPerMinute: (N * ROUNDS * 60) / total('providerSeconds'),
  };
  const m = await machine();
  console.log(`\n## Reminder dispatch (${N} reminders × ${ROUNDS} rounds, worker concurrency ${WORKER_CONCURRENCY}, SMS in flight at most ${CONCURRENCY} (the app's peak: ${peakInFlight}), pool ${POOL}, queue on Redis)\n`);
  console.log(
    table(
      ['round', 'relay to BullMQ (s)', 'dispatch (s)', 'dispatch / min', 'no-op ceiling (s)', 'ceiling / min', 'dispatch ÷ ceiling', 'provider alone / min', 'dispatch ÷ provider'],
      rounds.map((r) => [
        r.round,
        fmt(r.relaySeconds, 2),
        fmt(r.dispatchSeconds, 2),
        fmt(r.dispatchPerMinute, 0),
        fmt(r.ceilingSeconds, 2),
        fmt(r.ceilingPerMinute, 0),
        `${fmt(r.ratio * 100)}%`,
        fmt(r.providerPerMinute, 0),
        `${fmt((r.dispatchPerMinute / r.providerPerMinute) * 100)}%`,
      ]),
    ),
  );
  console.log(`\nAll rounds: ${fmt(overall.dispatchPerMinute, 0)} reminders/min against a ceiling of ${fmt(overall.ceilingPerMinute, 0)} jobs/min (${fmt((overall.dispatchPerMinute / overall.ceilingPerMinute) * 100)}%); the provider alone managed ${fmt(overall.providerPerMinute, 0)}/min (dispatch is ${fmt((overall.dispatchPerMinute / overall.providerPerMinute) * 100)}% of it).`);
  console.log(
    `Duplicates: reminders ${checks.reminders}, sent ${checks.sent}, message rows ${checks.messages}, duplicate claims ${checks.duplicate_claims}, ` +
      `distinct Twilio sids ${checks.distinct_sids}; the stand-in received ${standInCount.received} SMS (${N * ROUNDS} of them the provider-only baseline) for ${standInCount.distinctRecipients} recipients ` +
      `(${Number(checks.duplicate_claims) === 0 && standInCount.received === Number(checks.reminders) + N * ROUNDS && standInCount.distinctRecipients === standInCount.received ? 'OK: no duplicates' : 'VIOLATION'}).`,
  );
  console.log(`Machine: ${JSON.stringify(m)}`);
  writeResult('reminders', { machine: m, n: N, concurrency: CONCURRENCY, workerConcurrency: WORKER_CONCURRENCY, peakInFlight, pool: POOL, rounds, overall, checks, standIn: standInCount });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
