import { randomUUID } from 'node:crypto';
import type { JobType } from 'bullmq';
import { Queues } from '../../src/common/queue/queues';
import { REMINDER_QUEUE } from '../../src/reminders/outbox.relay';
import { AppUnderTest, useTestApp } from '../support/app';
import { checkedFetch } from '../support/contract';
import { ADMIN_KEY } from '../support/database';
import { bookingBody, createDiary, Diary, partnerKey } from '../support/fixtures';
import { until } from '../support/wait';

// The operator's view: Prometheus metrics at /metrics and Bull Board at /admin/queues,
// both for the admin only, and the figures they show checked against the database and
// the queue themselves.

const JOB_STATES: JobType[] = ['waiting', 'delayed', 'active', 'failed', 'completed'];
const REMINDER_STATUSES = ['planned', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded'];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A request whose answer is not necessarily JSON (the Api client parses every body as JSON). */
async function raw(e2e: AppUnderTest, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await checkedFetch(`${e2e.app.url}${path}`, { method, headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The samples of an exposition, keyed as written: `name` or `name{label="value",...}`. */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`Not an exposition line: ${line}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const key = (name: string, labels: Record<string, string> = {}) => {
  const entries = Object.entries(labels);
  return entries.length ? `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
};

async function scrape(e2e: AppUnderTest) {
  const response = await raw(e2e, '/metrics', { Authorization: `Bearer ${ADMIN_KEY}` });
  expect(response.status).toBe(200);
  const samples = parseSamples(response.text);
  return { ...response, samples, value: (name: string, labels?: Record<string, string>) => samples.get(key(name, labels)) };
}


/** Reminder rows by status, and how many the relay has not handed over, straight from the database. */
async function reminderRows(e2e: AppUnderTest) {
  const rows = await e2e.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM reminders GROUP BY status');
  const [{ pending, queued }] = await e2e.db.query<{ pending: number; queued: number }>(
    `SELECT count(*) FILTER (WHERE relay <> 'done')::int AS pending,
            count(*) FILTER (WHERE relay = 'done' AND status = 'planned')::int AS queued FROM reminders`,
  );
  return { byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>, pending, queued };
}

describe('operations', () => {
  const e2e = useTestApp();
  let diary: Diary;

  beforeAll(async () => {
    diary = await createDiary(e2e.api);
  });

  describe('GET /metrics', () => {
    it('needs a key: 401 without one', async () => {
      const response = await e2e.api.as(null).get('/metrics');
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('needs the admin scope: 403 for a partner key', async () => {
      const { key: partner } = await partnerKey(e2e.api);
      const response = await e2e.api.as(partner).get('/metrics');
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(response.body.message).toBe('This API key lacks the "admin" scope');
    });

    it('answers the admin key in the Prometheus text format, with every metric and the process metrics', async () => {
      const { headers, text, value } = await scrape(e2e);
      // Express reorders the parameters; the order means nothing.
      expect(headers.get('content-type')?.split(/;\s*/).sort()).toEqual(['charset=utf-8', 'text/plain', 'version=0.0.4']);
      expect(headers.get('cache-control')).toBe('no-store');
      for (const [name, type] of [
        ['careers_reminder_jobs', 'gauge'],
        ['careers_queue_up', 'gauge'],
        ['careers_database_up', 'gauge'],
        ['careers_messages_sent_total', 'counter'],
        ['careers_messages_failed_total', 'counter'],
        ['careers_reminders', 'gauge'],
        ['careers_outbox_pending', 'gauge'],
      ]) {
        expect(text).toContain(`# HELP ${name} `);
        expect(text).toContain(`# TYPE ${name} ${type}\n`);
      }
      expect(value('careers_queue_up')).toBe(1);
      expect(value('careers_database_up')).toBe(1);
      for (const state of JOB_STATES) expect(value('careers_reminder_jobs', { state })).toEqual(expect.any(Number));
      for (const status of REMINDER_STATUSES) expect(value('careers_reminders', { status })).toEqual(expect.any(Number));
      for (const channel of ['sms', 'email']) {
        expect(value('careers_messages_sent_total', { channel })).toEqual(expect.any(Number));
        expect(value('careers_messages_failed_total', { channel })).toEqual(expect.any(Number));
      }
      // Default Node process metrics, on this application's own registry.
      expect(value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    });

    it('an organisation key with the admin scope may scrape too, as with other admin routes', async () => {
      const { key: adminScoped } = await partnerKey(e2e.api, ['admin']);
      const response = await raw(e2e, '/metrics', { Authorization: `Bearer ${adminScoped}` });
      expect(response.status).toBe(200);
      expect(parseSamples(response.text).get('careers_queue_up')).toBe(1);
    });

    it('reports the reminder rows of a booking, and their jobs once the relay has handed them to the queue', async () => {
      const before = await scrape(e2e);
      const booking = await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-07T09:00:00+01:00'));
      const [{ n: planned }] = await e2e.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE booking_id = $1 AND status = 'planned'`, [booking.id]);
      expect(planned).toBeGreaterThan(0);

      // The relay runs in the app; the worker does not (RUN_WORKER=false), so the jobs stay delayed or waiting.
      const after = await until('the relay to hand the reminders over', async () => {
        const now = await scrape(e2e);
        const rows = await reminderRows(e2e);
        return rows.pending === 0 && now.value('careers_outbox_pending') === 0 && { now, rows };
      });
      const { now, rows } = after;
      const queued = (m: typeof now) => (m.value('careers_reminder_jobs', { state: 'waiting' }) ?? NaN) + (m.value('careers_reminder_jobs', { state: 'delayed' }) ?? NaN);
      expect(queued(now) - queued(before)).toBe(planned);
      expect(queued(now)).toBe(rows.queued);
      const direct = await e2e.app.app.get(Queues).queue(REMINDER_QUEUE).getJobCounts(...JOB_STATES);
      for (const state of JOB_STATES) expect(now.value('careers_reminder_jobs', { state })).toBe(direct[state]);
      expect(now.value('careers_reminder_jobs', { state: 'active' })).toBe(0);
      for (const status of REMINDER_STATUSES) expect(now.value('careers_reminders', { status })).toBe(rows.byStatus[status] ?? 0);
      expect(now.value('careers_reminders', { status: 'planned' })! - before.value('careers_reminders', { status: 'planned' })!).toBe(planned);
    });

    it('counts sent and failed messages per channel from the messages table', async () => {
      const booking = await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-07T11:00:00+01:00'));
      const reminders = await e2e.db.query<{ id: string }>(`SELECT id FROM reminders WHERE booking_id = $1 AND status = 'planned' ORDER BY step`, [booking.id]);
      expect(reminders.length).toBeGreaterThanOrEqual(2);
      const before = await scrape(e2e);
      // What workers and status callbacks write; the worker is off here, so the rows are put in directly.
      const message = (reminderId: string, channel: string, status: string, sent: boolean) =>
        e2e.db.query(
          `INSERT INTO messages (id, reminder_id, channel, recipient, variant, body, status, sent_at) VALUES ($1, $2, $3, 'someone', 'standard', 'Hello', $4, ${sent ? 'now()' : 'NULL'})`,
          [randomUUID(), reminderId, channel, status],
        );
      await message(reminders[0].id, 'sms', 'delivered', true);
      await message(reminders[0].id, 'email', 'failed', false);
      await message(reminders[1].id, 'sms', 'undelivered', true);
      await message(reminders[1].id, 'email', 'sending', false);

      const after = await scrape(e2e);
      const change = (name: string, channel: string) => after.value(name, { channel })! - before.value(name, { channel })!;
      expect(change('careers_messages_sent_total', 'sms')).toBe(2);
      expect(change('careers_messages_sent_total', 'email')).toBe(0);
      expect(change('careers_messages_failed_total', 'sms')).toBe(1);
      expect(change('careers_messages_failed_total', 'email')).toBe(1);
    });

    it('is not in the OpenAPI document, nor is the queue board', async () => {
      const response = await e2e.api.as(null).get('/docs-json');
      expect(response.status).toBe(200);
      const paths = Object.keys(response.body.paths);
      expect(paths).toContain('/health');
      expect(paths.filter((p) => p.startsWith('/metrics') || p.startsWith('/admin'))).toEqual([]);
    });
  });

  describe('Bull Board at /admin/queues', () => {
    const expectChallenge = (response: { status: number; headers: Headers; text: string }) => {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="queues"');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({ code: 'UNAUTHENTICATED', message: expect.any(String) });
      expect(body.message.length).toBeGreaterThan(0);
    };

    it('challenges a request without credentials to sign in with Basic', async () => {
      expectChallenge(await raw(e2e, '/admin/queues'));
      expectChallenge(await raw(e2e, '/admin/queues/api/queues'));
    });

    it.each([
      ['a wrong password', () => basic('admin', 'not-the-key')],
      ['the admin key as the user name, with no password', () => basic(ADMIN_KEY, '')],
      ['the admin key with one character more', () => basic('admin', `${ADMIN_KEY}x`)],
      ['Basic credentials without a colon', () => `Basic ${Buffer.from(ADMIN_KEY).toString('base64')}`],
      ['a bearer token that is not the admin key', () => 'Bearer not-the-key'],
      ['the key with no scheme', () => ADMIN_KEY],
    ])('refuses %s', async (_, header) => {
      expectChallenge(await raw(e2e, '/admin/queues', { Authorization: header() }));
    });

    it('refuses a partner key, and an organisation key with the admin scope: only the admin key opens it', async () => {
      const { key: partner } = await partnerKey(e2e.api);
      const { key: adminScoped } = await partnerKey(e2e.api, ['admin']);
      for (const k of [partner, adminScoped]) {
        expectChallenge(await raw(e2e, '/admin/queues/api/queues', { Authorization: `Bearer ${k}` }));
        expectChallenge(await raw(e2e, '/admin/queues', { Authorization: basic('admin', k) }));
      }
    });

    it('serves the dashboard to a browser signed in with the admin key as the password, whatever the user name', async () => {
      for (const user of ['admin', 'someone', '']) {
        const response = await raw(e2e, '/admin/queues', { Authorization: basic(user, ADMIN_KEY) });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.text).toContain('Reminder queue');
        expect(response.text).toContain('/admin/queues/');
      }
    });

    it('guards its static files as well', async () => {
      const asset = '/admin/queues/static/favicon-32x32.png';
      expectChallenge(await raw(e2e, asset));
      const response = await raw(e2e, asset, { Authorization: basic('admin', ADMIN_KEY) });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
    });

    it('lists the reminders queue through its API, with the counts the queue itself gives', async () => {
      await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-08T09:00:00+01:00'));
      await until('the relay to hand the reminders over', async () => (await reminderRows(e2e)).pending === 0);
      const response = await e2e.api.get('/admin/queues/api/queues');
      expect(response.status).toBe(200);
      expect(response.body.queues.map((q: { name: string }) => q.name)).toEqual([REMINDER_QUEUE]);
      const [board] = response.body.queues;
      expect(board.readOnlyMode).toBe(true);
      const direct = await e2e.app.app.get(Queues).queue(REMINDER_QUEUE).getJobCounts('delayed', 'waiting');
      expect(direct.delayed + direct.waiting).toBeGreaterThan(0);
      expect(board.counts).toMatchObject({ delayed: direct.delayed, waiting: direct.waiting });
      // Basic credentials work for the API as for the pages: the dashboard calls it from the signed-in browser.
      const asBrowser = await raw(e2e, '/admin/queues/api/queues', { Authorization: basic('admin', ADMIN_KEY) });
      expect(asBrowser.status).toBe(200);
      expect(JSON.parse(asBrowser.text).queues[0].name).toBe(REMINDER_QUEUE);
    });

    it('is read-only: it refuses to pause the queue or promote its jobs', async () => {
      const queue = e2e.app.app.get(Queues).queue(REMINDER_QUEUE);
      const delayedBefore = await queue.getJobCountByTypes('delayed');
      expect(delayedBefore).toBeGreaterThan(0);
      const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
      expect((await raw(e2e, `/admin/queues/api/queues/${REMINDER_QUEUE}/pause`, auth, 'PUT')).status).toBe(405);
      expect((await raw(e2e, `/admin/queues/api/queues/${REMINDER_QUEUE}/promote`, auth, 'PUT')).status).toBe(405);
      expect(await queue.isPaused()).toBe(false);
      expect(await queue.getJobCountByTypes('delayed')).toBe(delayedBefore);
    });
  });
});

describe('operations while the queue datastore is unreachable', () => {
  // A short relay interval, so that the backlog drains soon after the queue is back.
  const e2e = useTestApp({ RELAY_INTERVAL_MS: '100' });

  it('/metrics still answers 200 with careers_queue_up 0 and no job samples, shows the outbox backlog, and recovers', async () => {
    const diary = await createDiary(e2e.api);
    await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-07T09:00:00+01:00'));
    await until('the relay to hand the first booking over', async () => (await reminderRows(e2e)).pending === 0);
    const up = await scrape(e2e);
    expect(up.value('careers_queue_up')).toBe(1);
    expect(up.value('careers_outbox_pending')).toBe(0);

    // The queue's own Redis connection, closed as an outage would close it (ioredis does not
    // reconnect after disconnect()), then opened again.
    const queue = e2e.app.app.get(Queues).queue(REMINDER_QUEUE);
    const redis = await (queue.getBackend() as unknown as { client: Promise<{ disconnect(): void; connect(): Promise<void> }> }).client;
    redis.disconnect();
    let planned: number;
    try {
      const booking = await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-07T10:00:00+01:00'));
      [{ n: planned }] = await e2e.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE booking_id = $1 AND relay = 'add'`, [booking.id]);
      expect(planned).toBeGreaterThan(0);

      const down = await scrape(e2e);
      expect(down.value('careers_queue_up')).toBe(0);
      expect([...down.samples.keys()].filter((k) => k.startsWith('careers_reminder_jobs'))).toEqual([]);
      expect(down.text).not.toContain('careers_reminder_jobs');
      expect(down.value('careers_database_up')).toBe(1);
      expect((await reminderRows(e2e)).pending).toBe(planned);
      expect(down.value('careers_outbox_pending')).toBe(planned);
      expect(down.value('careers_reminders', { status: 'planned' })).toBe((await reminderRows(e2e)).byStatus.planned);
      expect(down.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    } finally {
      await redis.connect();
    }

    const back = await until('the backlog to drain', async () => {
      const now = await scrape(e2e);
      return now.value('careers_outbox_pending') === 0 && now;
    });
    expect(back.value('careers_queue_up')).toBe(1);
    const jobs = (await reminderRows(e2e)).queued;
    expect(back.value('careers_reminder_jobs', { state: 'waiting' })! + back.value('careers_reminder_jobs', { state: 'delayed' })!).toBe(jobs);
    expect(jobs).toBe((up.value('careers_reminder_jobs', { state: 'waiting' })! + up.value('careers_reminder_jobs', { state: 'delayed' })!) + planned!);
  });
});
