import { randomBytes } from 'node:crypto';
import { createApp } from '../app.factory';
import { ConfigError, loadConfig, loadDefaults } from '../common/config/config';
import { migrate } from '../common/database/migrator';
import { startEmbeddedPostgres } from '../demo/embedded-postgres';
import { reachable } from '../demo/probe';
import { seedHistory } from '../demo/history';
import { seedDemo } from '../demo/seed';
import { ShowModelService } from '../attendance/show-model.service';
import { Clock } from '../common/time/clock';
import { addDays, localDateOf } from '../common/time/local-time';
import { DataSource } from 'typeorm';
import { DEFAULT_REMINDER_POLICY, nextAllowedTime } from '../reminders/domain/reminder-plan';

/**
 * `npm run demo`: the service with demo data on whatever is at hand. PostgreSQL and Redis
 * are used when they answer; otherwise PostgreSQL runs embedded (PGlite) and queues use
 * PostgreSQL, so a newcomer needs nothing but Node.
 */
async function main() {
  const defaults = loadDefaults();
  const env: Record<string, string> = {};
  let stopEmbedded: (() => Promise<void>) | null = null;

  const wantedDb = process.env.DATABASE_URL || defaults.DATABASE_URL.replace(/\/[^/]*$/, '/careers_booking_demo');
  if (await reachable(wantedDb, 5432)) {
    env.DATABASE_URL = wantedDb;
    if (!process.env.DATABASE_URL) await recreateDemoDatabase(wantedDb);
    console.log(`PostgreSQL: ${redact(wantedDb)}`);
  } else {
    const embedded = await startEmbeddedPostgres();
    stopEmbedded = embedded.stop;
    env.DATABASE_URL = embedded.url;
    env.DB_POOL_SIZE = '1';
    console.log(`PostgreSQL: none at ${redact(wantedDb)}; using embedded PGlite (in memory) at ${embedded.url}`);
  }
  const redisUrl = process.env.REDIS_URL || defaults.REDIS_URL;
  env.QUEUE_BACKEND = process.env.QUEUE_BACKEND || ((await reachable(redisUrl, 6379)) ? 'redis' : 'postgres');
  console.log(env.QUEUE_BACKEND === 'redis' ? `Redis: ${redisUrl}` : 'Redis: none; QUEUE_BACKEND=postgres, so nothing needs it');

  // The personal links in its reminders lead to this demo, on whatever port it was given.
  env.PUBLIC_BASE_URL = process.env.PUBLIC_BASE_URL || `http://localhost:${process.env.PORT || defaults.PORT}`;
  const adminKey = process.env.ADMIN_API_KEY || `demo_admin_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({ ...process.env, ...env, ADMIN_API_KEY: adminKey, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' });
  await migrate(config.DATABASE_URL);
  const app = await createApp(config);
  await app.listen(config.PORT, '127.0.0.1');
  const base = `http://127.0.0.1:${config.PORT}`;
  const clock = app.get(Clock);
  const demo = await seedDemo(base, adminKey, config.DEFAULT_TIMEZONE, clock.now());
  // The year before today, and a model fitted to it: DNA insights and show probabilities from the start.
  const history = await seedHistory(app.get(DataSource), config.DEFAULT_TIMEZONE, clock.now());
  const model = await app.get(ShowModelService).train();
  const auth = `-H "Authorization: Bearer ${demo.jobcentreKey}"`;
  console.log(`
Careers booking demo is running at ${base}   (API docs: ${base}/docs)

Keys (valid while this demo runs):
  admin:             ${adminKey}
  Jobcentre Plus:    ${demo.jobcentreKey}
  Lewisham partner:  ${demo.partnerKey}

Pages for staff: ${base}/app   (sign in as any of these)
${demo.staff.map((s) => `  ${s.role.padEnd(13)} ${s.email}   password ${s.password}`).join('\n')}

Try (as the jobcentre):
  curl -s ${base}/v1/appointment-types ${auth}
  curl -s "${base}/v1/slots?appointmentType=SKILLS_HEALTH_CHECK&siteId=${demo.sampleSiteId}" ${auth}
  curl -s "${base}/v1/sites/${demo.sampleSiteId}/free-now?appointmentType=FOLLOW_UP" ${auth}
  curl -s ${base}/v1/bookings/${demo.sampleBookingId} ${auth}
  curl -s "${base}/v1/bookings?customerReference=JCP-1001" ${auth}
  curl -s ${base}/health

Attendance (a year of generated history, ${history.toLocaleString('en-GB')} appointments; show model v${model?.version}, ${model?.kind}, AUC ${model?.evaluation.auc?.toFixed(2) ?? 'n/a'} on the latest fifth):
  curl -s "${base}/v1/insights/dna?from=${addDays(localDateOf(clock.now(), config.DEFAULT_TIMEZONE), -365)}&to=${localDateOf(clock.now(), config.DEFAULT_TIMEZONE)}&groupBy=leadTimeBucket" -H "Authorization: Bearer ${adminKey}"
  curl -s ${base}/v1/models/show-probability -H "Authorization: Bearer ${adminKey}"
  curl -s ${base}/v1/bookings/${demo.sampleBookingId}/history ${auth}       (showProbability and showFactors are on every booking)

Reminders (confirmation now, then 2 days before and on the day; nothing in quiet hours, 20:00-08:00 UK time${quietNow(config.DEFAULT_TIMEZONE, clock.now()) ? ': it is quiet hours now, so confirmations wait until 08:00' : ''}):
  curl -s ${base}/v1/bookings/${demo.emailBookingId}/messages ${auth}
  SMS go to ${process.env.TWILIO_ACCOUNT_SID ? 'Twilio' : 'the log above (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM to send)'}; email goes to ${process.env.SMTP_URL ? process.env.SMTP_URL : 'the log above (set SMTP_URL, e.g. smtp://127.0.0.1:1025 for Mailpit, to send)'}.
  Queues: ${base}/admin/queues (user: anything, password: the admin key)   Metrics: curl -s ${base}/metrics -H "Authorization: Bearer ${adminKey}"

Book the first free slot (pick "start" from the slot search above):
  curl -s -X POST ${base}/v1/bookings ${auth} -H "Content-Type: application/json" -H "Idempotency-Key: demo-1" \\
    -d '{"appointmentType":"SKILLS_HEALTH_CHECK","siteId":"${demo.sampleSiteId}","adviserId":"${demo.sampleAdviserId}","start":"<start from a slot>",
         "customer":{"reference":"JCP-2001","name":"Alex Morgan","mobile":"07812 345678","preferredChannel":"sms","consentToContact":true},
         "referral":{"source":"jcp","referrerName":"Work coach","reason":"Career change","mandatory":false}}'

Press Ctrl+C to stop.`);

  const stop = async () => {
    await app.close();
    await stopEmbedded?.();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Whether a confirmation made now waits for quiet hours to end (under the default policy). */
const quietNow = (zone: string, now: number) => nextAllowedTime(now, zone, DEFAULT_REMINDER_POLICY) > now;

/** The demo's own database is thrown away and made anew at each start. */
async function recreateDemoDatabase(url: string) {
  const { Client } = await import('pg');
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
