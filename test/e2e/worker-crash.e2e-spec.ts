import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { DateTime } from 'luxon';
import { REMINDER_QUEUE, reminderJobId, ReminderJob } from '../../src/reminders/outbox.relay';
import { Api } from '../support/api';
import { startApp, TestApp } from '../support/app';
import { testClock } from '../support/clock';
import { asEnv } from '../support/database';
import { DbState } from '../support/db-state';
import { bookingBody, createDiary } from '../support/fixtures';
import { RecordedSms, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';

// A reminder worker killed in the middle of a delivery never makes the customer get the
// message twice. The API runs here without a worker (RUN_WORKER=false); the worker is
// `src/worker.ts` in a child process of its own, killed with SIGKILL, and a second one
// takes over the job BullMQ then finds stalled.

const ROOT = join(__dirname, '..', '..');
const START = '2027-06-07T10:00:00+01:00'; // a Monday in the fixtures' default diary

/** `node -r test/support/ts-register.js src/worker.ts`, with its output kept for failure messages. */
class WorkerProcess {
  private static readonly all = new Set<WorkerProcess>();
  private output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk));
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  }

  /** Starts a worker on `env` (and nothing else of this process's environment); resolves once it runs. */
  static async start(name: string, env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'src/worker.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(name, child);
    WorkerProcess.all.add(worker);
    await until(`${name} to start`, () => worker.log.includes('Reminder worker running'), 30_000, () => worker.running || `${name} exited:\n${worker.log}`);
    return worker;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  static async killAll(): Promise<void> {
    await Promise.all([...WorkerProcess.all].map((w) => w.kill('SIGKILL')));
    WorkerProcess.all.clear();
  }

  /** The output of every worker started, for a failure message. */
  static logs(): string {
    return [...WorkerProcess.all].map((w) => `--- ${w.name} ---\n${w.log}`).join('\n');
  }
}

/**
 * Polls until `check` holds. `alive` may end the wait early with a reason (a worker that
 * exited); the error carries the workers' output.
 */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, alive: () => true | string = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const state = alive();
    if (state !== true) throw new Error(`Waiting for ${what}: ${state}`);
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}\n${WorkerProcess.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A TCP relay in front of Redis that can be cut: from then on nothing the worker sends
 * reaches Redis and nothing comes back, as if it had died with its acknowledgement unsent,
 * while it goes on talking to PostgreSQL and the provider.
 */
class RedisLink {
  private severed = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async open(redisUrl: string): Promise<RedisLink> {
    const target = new URL(redisUrl);
    let link: RedisLink;
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ]) {
        link.sockets.add(from);
        from.on('data', (chunk) => {
          if (!link.severed) to.write(chunk);
        });
        from.on('error', () => undefined);
        from.on('close', () => to.destroy());
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(redisUrl);
    url.hostname = '127.0.0.1';
    url.port = String((server.address() as { port: number }).port);
    link = new RedisLink(server, url.toString());
    return link;
  }

  sever(): void {
    this.severed = true;
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Step {
  step: string;
  status: string;
  reason: string | null;
  messages: { id: string; channel: string; status: string; providerId: string | null }[];
}

describe('a reminder worker killed mid-delivery (e2e)', () => {
  let app: TestApp;
  let api: Api;
  let db: DbState;
  let standIn: TwilioStandIn;
  let queue: Queue<ReminderJob>;
  let queueRedis: IORedis;
  let workerEnv: Record<string, string>;
  const links: RedisLink[] = [];

  beforeAll(async () => {
    standIn = await TwilioStandIn.start();
    app = await startApp({
      QUEUE_BACKEND: 'redis',
      RUN_WORKER: 'false',
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_FROM: TEST_FROM,
      TWILIO_API_URL: standIn.url,
      RELAY_INTERVAL_MS: '100',
      WORKER_LOCK_MS: '2000',
    });
    api = new Api(app.url);
    db = new DbState(app.config.DATABASE_URL);
    // The API's own configuration, PUBLIC_BASE_URL (the status callbacks' address) included;
    // RUN_WORKER stays 'false' in it, which src/worker.ts overrides. Logs at 'log' so that
    // the worker says where SMS go.
    workerEnv = { ...asEnv(app.config), LOG_LEVEL: 'log' };
    queueRedis = new IORedis(app.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue<ReminderJob>(REMINDER_QUEUE, { connection: queueRedis, prefix: app.config.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await WorkerProcess.killAll();
    await Promise.all(links.map((l) => l.close()));
    await queue?.close();
    queueRedis?.disconnect();
    await db?.close();
    await app?.close();
    await standIn?.close();
  });

  /** A booking on a fresh diary whose site's quiet hours are well away from now, so its confirmation goes at once. */
  async function book(): Promise<{ id: string }> {
    const diary = await createDiary(api);
    const now = DateTime.fromMillis(testClock.now(), { zone: app.config.DEFAULT_TIMEZONE });
    const policy = await api.request('PUT', `/v1/sites/${diary.siteId}/reminder-policy`, {
      daysBefore: 2,
      daysBeforeAt: '10:00',
      hoursBefore: 3,
      quietFrom: now.plus({ hours: 2 }).toFormat('HH:mm'),
      quietUntil: now.plus({ hours: 3 }).toFormat('HH:mm'),
      minimumGapMinutes: 60,
    });
    expect(policy.status).toBe(200);
    const body = bookingBody(diary, START);
    expect(body.customer).toMatchObject({ preferredChannel: 'sms', consentToContact: true });
    return api.create('/v1/bookings', body);
  }

  const confirmation = async (bookingId: string): Promise<Step> => {
    const response = await api.get(`/v1/bookings/${bookingId}/messages`);
    expect(response.status).toBe(200);
    return response.body.steps.find((s: Step) => s.step === 'confirmation');
  };

  const reminderRow = async (bookingId: string) =>
    (await db.query<{ id: string; status: string; reason: string | null }>(`SELECT id, status, reason FROM reminders WHERE booking_id = $1 AND step = 'confirmation'`, [bookingId]))[0];

  const messageRows = (reminderId: string) =>
    db.query<{ id: string; channel: string; status: string; provider_id: string | null }>('SELECT id, channel, status, provider_id FROM messages WHERE reminder_id = $1', [reminderId]);

  const jobOf = async (bookingId: string) => (await queue.getJob(reminderJobId({ booking_id: bookingId, step: 'confirmation', version: 1, round: 0 })))!;

  const smsFor = (sms: RecordedSms[], messageId: string) => sms.filter((s) => s.statusCallback?.endsWith(`?messageId=${messageId}`));

  it('killed while Twilio has the SMS but has not answered: the next worker marks it unknown and sends nothing; the status callback settles it', async () => {
    standIn.reset();
    standIn.hold();
    const first = await WorkerProcess.start('worker 1', workerEnv);
    expect(first.log).toContain(`SMS go to Twilio, from ${TEST_FROM} via ${standIn.url}`);
    expect(first.log).toContain('Email goes to the log');

    const booking = await book();
    const [sms] = await standIn.waitFor(1);
    // The claim was committed before the provider call.
    const reminder = await reminderRow(booking.id);
    expect(reminder.status).toBe('sending');
    const [claimed] = await messageRows(reminder.id);
    expect(claimed).toMatchObject({ channel: 'sms', status: 'sending', provider_id: null });
    expect(sms.statusCallback).toBe(`${app.url}/v1/webhooks/twilio/status?messageId=${claimed.id}`);
    expect(sms.to).toBe('+447911123456');

    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await WorkerProcess.start('worker 2', workerEnv);
    await until('the reminder to leave "sending"', async () => (await reminderRow(booking.id)).status !== 'sending');

    expect(standIn.received).toHaveLength(1);
    const step = await confirmation(booking.id);
    expect(step).toMatchObject({ status: 'unconfirmed', reason: 'WORKER_LOST' });
    expect(step.messages).toEqual([expect.objectContaining({ id: claimed.id, channel: 'sms', status: 'unknown', providerId: null })]);
    // The second worker took the stalled job over, and finished it without sending.
    const job = await jobOf(booking.id);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toBe('unconfirmed');
    expect(job.stalledCounter).toBe(1);

    // Twilio's status callback, which knows our id from the StatusCallback URL, settles it.
    const callback = await standIn.callback(sms, 'delivered');
    expect(callback.status).toBe(204);
    const settled = await confirmation(booking.id);
    expect(settled).toMatchObject({ status: 'sent', reason: null });
    expect(settled.messages).toEqual([expect.objectContaining({ id: claimed.id, status: 'delivered', providerId: sms.sid })]);
    expect(smsFor(standIn.received, claimed.id)).toHaveLength(1);
    expect(standIn.received).toHaveLength(1);

    // SIGTERM stops a worker cleanly.
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('killed after the result was recorded but before BullMQ heard of it: the next worker finds the step sent and sends nothing', async () => {
    standIn.reset();
    standIn.hold();
    // This worker reaches Redis through a link the test can cut, so that its
    // acknowledgement of the job can be kept from arriving.
    const link = await RedisLink.open(app.config.REDIS_URL);
    links.push(link);
    const first = await WorkerProcess.start('worker 3', { ...workerEnv, REDIS_URL: link.url });

    const booking = await book();
    const [sms] = await standIn.waitFor(1);
    const reminder = await reminderRow(booking.id);
    const [claimed] = await messageRows(reminder.id);
    expect(claimed.status).toBe('sending');

    // Twilio answers only once nothing more from this worker can reach Redis.
    link.sever();
    standIn.release();
    await until('the send to be recorded', async () => (await reminderRow(booking.id)).status === 'sent');
    expect(await messageRows(reminder.id)).toEqual([{ id: claimed.id, channel: 'sms', status: 'queued', provider_id: sms.sid }]);
    const job = await jobOf(booking.id);
    expect(await job.getState()).toBe('active');

    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await link.close();
    await WorkerProcess.start('worker 4', workerEnv);
    await until('the stalled job to be finished', async () => (await job.getState()) === 'completed');

    const finished = await jobOf(booking.id);
    expect(finished.returnvalue).toBe('sent');
    expect(finished.stalledCounter).toBe(1);
    expect(standIn.received).toHaveLength(1);
    expect(await messageRows(reminder.id)).toEqual([{ id: claimed.id, channel: 'sms', status: 'queued', provider_id: sms.sid }]);
    const step = await confirmation(booking.id);
    expect(step).toMatchObject({ status: 'sent', reason: null });
    expect(step.messages).toEqual([expect.objectContaining({ id: claimed.id, status: 'queued', providerId: sms.sid })]);
  });
});
