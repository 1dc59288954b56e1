import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { reminderJobId } from '../../src/reminders/outbox.relay';
import { assignVariant } from '../../src/reminders/domain/templates';
import { Api } from '../support/api';
import { checkedFetch } from '../support/contract';
import { freePort, startApp, TestApp, useTestApp } from '../support/app';
import { connect } from '../support/database';
import { DbState } from '../support/db-state';
import { onAppClock } from '../support/clock';
import { awakePolicy, BuiltDiary, createDiary, londonHour, referral, uniq } from '../support/fixtures';
import { PrefixProxy } from '../support/prefix-proxy';
import { SmtpCapture } from '../support/smtp-capture';
import { TcpProxy } from '../support/tcp-proxy';
import { RecordedSms, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';
import { until } from '../support/wait';

// Tuesday 5 January 2027, 10:00 in London (GMT), and later slots of the same diary.
const TUE_10 = '2027-01-05T10:00:00Z';
const WED_14 = '2027-01-06T14:00:00Z';

let mobiles = 0;
/** A distinct UK mobile per customer, so each test can pick out its own messages. */
const nextMobile = () => `+4479111${String(++mobiles).padStart(5, '0')}`;


describe('reminders (end to end, real Twilio library, SMTP, Redis and PostgreSQL)', () => {
  let twilio: TwilioStandIn;
  let smtp: SmtpCapture;
  let redis: TcpProxy;
  let gateway: PrefixProxy;
  let app: TestApp;
  let api: Api;
  let db: DbState;
  let queue: Queue;
  let queueConnection: IORedis;

  beforeAll(async () => {
    twilio = await TwilioStandIn.start();
    smtp = await SmtpCapture.start();
    redis = new TcpProxy('127.0.0.1', 6379);
    await redis.open();
    // Twilio reaches the app through a gateway that mounts it under /careers and strips the
    // prefix, so every callback here is signed for a URL whose path the app never sees whole.
    const port = await freePort();
    gateway = await PrefixProxy.start('/careers', `http://127.0.0.1:${port}`);
    app = await startApp({
      PORT: String(port),
      PUBLIC_BASE_URL: gateway.url,
      RUN_WORKER: 'true',
      REDIS_URL: redis.url,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_FROM: TEST_FROM,
      TWILIO_API_URL: twilio.url,
      SMTP_URL: smtp.url,
      RELAY_INTERVAL_MS: '100',
      REMINDER_BACKOFF_MS: '100',
    });
    api = new Api(app.url);
    db = new DbState(app.config.DATABASE_URL);
    queueConnection = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = new Queue('reminders', { connection: queueConnection, prefix: app.config.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.close();
    queueConnection?.disconnect();
    await db?.close();
    await app?.close();
    await gateway?.close();
    await redis?.cut();
    await twilio?.close();
    await smtp?.close();
  });

  async function diary(): Promise<BuiltDiary> {
    const built = await createDiary(api, { type: { durationMinutes: 60 } });
    const saved = await api.request('PUT', `/v1/sites/${built.siteId}/reminder-policy`, awakePolicy());
    expect(saved.status).toBe(200);
    return built;
  }

  function customer(overrides: Record<string, unknown> = {}) {
    return { reference: `C-${uniq()}`, name: 'Zoë Adeyemi', mobile: nextMobile(), email: `zoe.${uniq().toLowerCase()}@example.com`, preferredChannel: 'sms', consentToContact: true, ...overrides };
  }

  async function book(d: BuiltDiary, start: string, who = customer()) {
    const response = await api.post('/v1/bookings', { appointmentType: d.typeCode, siteId: d.siteId, adviserId: d.adviserId, start, customer: who, referral });
    expect(response.status).toBe(201);
    return { booking: response.body, customer: who };
  }

  const messages = async (bookingId: string) => {
    const response = await api.get(`/v1/bookings/${bookingId}/messages`);
    expect(response.status).toBe(200);
    return response.body as { variant: string; steps: { step: string; version: number; sendAt: string | null; status: string; reason: string | null; messages: any[] }[] };
  };
  const stepOf = async (bookingId: string, step: string, version = 1) => (await messages(bookingId)).steps.find((s) => s.step === step && s.version === version)!;
  const smsTo = (mobile: string) => twilio.received.filter((m) => m.to === mobile);
  const waitSms = (mobile: string, count = 1) => until(`${count} SMS to ${mobile}`, async () => smsTo(mobile).length >= count && smsTo(mobile));
  const mailTo = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));
  const waitMail = (address: string, count = 1) => until(`${count} emails to ${address}`, async () => mailTo(address).length >= count && mailTo(address));
  // Nothing running or about to run: whatever a test set going has had its say.
  const idle = () => until('the queue to be idle', async () => Object.values(await queue.getJobCounts('active', 'waiting', 'prioritized')).every((n) => n === 0));
  const settled = (bookingId: string, step: string, version = 1) =>
    until(`${step} v${version} of ${bookingId} to settle`, async () => {
      const s = await stepOf(bookingId, step, version);
      return s && !['planned', 'sending'].includes(s.status) && s;
    });

  /**
   * Books while the Twilio stand-in holds its answers and, once it has the confirmation SMS,
   * runs `meanwhile` with the provider call still in flight; what is still held is answered after.
   */
  async function bookInFlight(meanwhile: (booking: { id: string }, sms: RecordedSms) => Promise<unknown>) {
    const d = await diary();
    twilio.hold();
    try {
      const { booking, customer: who } = await book(d, TUE_10);
      const [sms] = await waitSms(who.mobile);
      await meanwhile(booking, sms);
      return { booking, who, sms };
    } finally {
      twilio.release();
    }
  }

  it('confirms a booking by SMS through Twilio at once, and lists the plan with its delayed reminders', async () => {
    const d = await diary();
    const { booking, customer: who } = await book(d, TUE_10);
    const [sms] = await waitSms(who.mobile);

    expect(sms.from).toBe(TEST_FROM);
    expect(sms.accountSid).toBe(TEST_ACCOUNT_SID);
    // Plain GSM-7 (Zoë becomes Zoe), with who, what, when and where.
    expect(sms.body).toMatch(/^Hi Zoe, you're booked with careers adviser Adviser [0-9A-F]{6}: Careers guidance, Tuesday 5 January 10:00am, Site [0-9A-F]{6}, 1 High Street, Swindon, SN1 1AA\./);
    const step = await settled(booking.id, 'confirmation');
    expect(step.status).toBe('sent');
    expect(step.messages).toHaveLength(1);
    // The personal link last, under the gateway's prefix; the log keeps it with the token masked.
    const [, token] = new RegExp(`\\. No credit\\? ${gateway.url}/b/([A-Za-z0-9_-]{22})$`).exec(sms.body)!;
    expect(step.messages[0]).toMatchObject({ channel: 'sms', recipient: who.mobile, status: 'queued', providerId: sms.sid, body: sms.body.replace(token, '*'.repeat(22)), segments: 2 });
    expect(sms.statusCallback).toBe(`${gateway.url}/v1/webhooks/twilio/status?messageId=${step.messages[0].id}`);

    const plan = await messages(booking.id);
    expect(plan.variant).toBe(assignVariant(booking.id));
    expect(booking.messageVariant).toBe(plan.variant);
    expect(plan.steps.map((s) => [s.step, s.status, s.sendAt])).toEqual([
      ['confirmation', 'sent', expect.any(String)],
      ['days_before', 'planned', '2027-01-03T10:00:00+00:00'],
      ['same_day', 'planned', '2027-01-05T07:00:00+00:00'],
    ]);
    for (const s of ['days_before', 'same_day']) {
      const job = await until(`job for ${s}`, () => queue.getJob(reminderJobId({ booking_id: booking.id, step: s, version: 1, round: 0 })));
      expect(await job.getState()).toBe('delayed');
      expect(Math.abs(onAppClock(job.timestamp + job.delay) - Date.parse(plan.steps.find((p) => p.step === s)!.sendAt!))).toBeLessThan(1000);
    }
  });

  it('emails a customer who prefers email, with text, HTML and an .ics whose UID is the booking', async () => {
    const d = await diary();
    const who = customer({ preferredChannel: 'email' });
    const { booking } = await book(d, TUE_10, who);
    const [mail] = await waitMail(who.email);

    expect(mail.subject).toBe('Booked: Careers guidance on Tuesday 5 January at 10:00am');
    expect(mail.text).toContain('Where: Site ');
    expect(mail.text).toContain('What to bring: Your CV if you have one');
    expect(mail.html).toContain('<p>Hello Zoë,</p>'.replace('</p>', '<br>').slice(0, 12));
    const ics = mail.attachments.find((a) => a.filename === 'appointment.ics')!;
    expect(ics.contentType).toBe('text/calendar');
    const calendar = ics.content.toString();
    expect(calendar).toContain(`UID:booking-${booking.id}@127.0.0.1`);
    expect(calendar).toContain('DTSTART:20270105T100000Z');
    expect(calendar).toContain('SEQUENCE:1');
    expect(calendar).toContain('STATUS:CONFIRMED');
    const step = await settled(booking.id, 'confirmation');
    expect(step.messages[0]).toMatchObject({ channel: 'email', recipient: who.email, status: 'sent', providerId: mail.messageId });
    expect(smsTo(who.mobile)).toHaveLength(0);
  });

  it('cancelling withdraws the pending reminders from the queue, and a stale job for one sends nothing', async () => {
    const d = await diary();
    const { booking, customer: who } = await book(d, TUE_10);
    await waitSms(who.mobile);
    // Twilio has the SMS before the worker has recorded that it went.
    await settled(booking.id, 'confirmation');
    const dayBefore = reminderJobId({ booking_id: booking.id, step: 'days_before', version: 1, round: 0 });
    await until('the days_before job', () => queue.getJob(dayBefore));

    expect((await api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'customer', reason: 'Found work' })).status).toBe(200);
    await until('the job to be removed', async () => (await queue.getJob(dayBefore)) === undefined);
    const plan = await messages(booking.id);
    expect(plan.steps.filter((s) => s.version === 1).map((s) => [s.step, s.status])).toEqual([
      ['confirmation', 'sent'],
      ['days_before', 'cancelled'],
      ['same_day', 'cancelled'],
    ]);
    // Word of the cancellation goes, as the customer had been told of the booking.
    const [, cancelled] = await waitSms(who.mobile, 2);
    expect(cancelled.body).toContain('is cancelled');

    // A job that escaped removal (it was already running, say) finds the step withdrawn.
    const [reminder] = await db.query(`SELECT id FROM reminders WHERE booking_id = $1 AND step = 'days_before'`, [booking.id]);
    const stale = await queue.add('days_before', { reminderId: reminder.id }, { jobId: `${dayBefore}.stale` });
    await until('the stale job to finish', async () => (await stale.getState()) === 'completed');
    expect((await queue.getJob(stale.id!))!.returnvalue).toBe('cancelled');
    expect(smsTo(who.mobile)).toHaveLength(2);
  });

  it('rescheduling supersedes the old plan and confirms the new time, with the calendar entry replaced', async () => {
    const d = await diary();
    const who = customer({ preferredChannel: 'email' });
    const { booking } = await book(d, TUE_10, who);
    await waitMail(who.email);
    // The server has an email before the worker has recorded that it went.
    await settled(booking.id, 'confirmation');

    const moved = await api.post(`/v1/bookings/${booking.id}/reschedule`, { appointmentType: d.typeCode, siteId: d.siteId, adviserId: d.adviserId, start: WED_14 });
    expect(moved.status).toBe(200);
    const [, second] = await waitMail(who.email, 2);
    expect(second.subject).toBe('Booked: Careers guidance on Wednesday 6 January at 2:00pm');
    const calendar = second.attachments[0].content.toString();
    expect(calendar).toContain(`UID:booking-${booking.id}@127.0.0.1`);
    expect(calendar).toContain('SEQUENCE:2');
    expect(calendar).toContain('DTSTART:20270106T140000Z');

    await settled(booking.id, 'confirmation', 2);
    const plan = await messages(booking.id);
    expect(plan.steps.map((s) => [s.version, s.step, s.status])).toEqual([
      [1, 'confirmation', 'sent'],
      [1, 'days_before', 'superseded'],
      [1, 'same_day', 'superseded'],
      [2, 'confirmation', 'sent'],
      [2, 'days_before', 'planned'],
      [2, 'same_day', 'planned'],
    ]);
    expect(plan.steps.find((s) => s.version === 2 && s.step === 'days_before')!.sendAt).toBe('2027-01-04T10:00:00+00:00');
    expect(await queue.getJob(reminderJobId({ booking_id: booking.id, step: 'days_before', version: 1, round: 0 }))).toBeUndefined();
  });

  it('books while Redis is down, and the confirmation goes once Redis is back', async () => {
    const d = await diary();
    await redis.cut();
    let booked: Awaited<ReturnType<typeof book>>;
    try {
      booked = await book(d, TUE_10);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(smsTo(booked.customer.mobile)).toHaveLength(0);
      const [row] = await db.query(`SELECT relay, status FROM reminders WHERE booking_id = $1 AND step = 'confirmation'`, [booked.booking.id]);
      expect(row).toEqual({ relay: 'add', status: 'planned' });
    } finally {
      await redis.open();
    }
    const sent = await waitSms(booked.customer.mobile, 1);
    expect(sent).toHaveLength(1);
    expect((await settled(booked.booking.id, 'confirmation')).status).toBe('sent');
  });

  it('holds a message due in quiet hours until they end', async () => {
    const d = await diary();
    const hour = londonHour();
    const at = (h: number) => `${String((hour + 24 + h) % 24).padStart(2, '0')}:00`;
    await api.request('PUT', `/v1/sites/${d.siteId}/reminder-policy`, { ...awakePolicy(), quietFrom: at(-1), quietUntil: at(2) });
    const { booking, customer: who } = await book(d, TUE_10);
    const confirmation = await stepOf(booking.id, 'confirmation');
    expect(confirmation.status).toBe('planned');
    expect(confirmation.sendAt!.slice(11, 16)).toBe(at(2));
    const job = await until('the confirmation job', () => queue.getJob(reminderJobId({ booking_id: booking.id, step: 'confirmation', version: 1, round: 0 })));
    expect(await job.getState()).toBe('delayed');
    expect(Math.abs(onAppClock(job.timestamp + job.delay) - Date.parse(confirmation.sendAt!))).toBeLessThan(1000);
    expect(smsTo(who.mobile)).toHaveLength(0);
  });

  it('retries a refusal that sent nothing, and sends exactly once', async () => {
    const d = await diary();
    const who = customer();
    let refusals = 0;
    twilio.failWhen((sms) => (sms.to === who.mobile && refusals++ < 2 ? { status: 503, code: 20500, message: 'Service unavailable' } : null));
    const { booking } = await book(d, TUE_10, who);
    await waitSms(who.mobile);
    const step = await settled(booking.id, 'confirmation');
    expect(refusals).toBe(3);
    expect(step.status).toBe('sent');
    expect(step.messages).toHaveLength(1);
    expect(smsTo(who.mobile)).toHaveLength(1);
  });

  it('an invalid mobile fails for good: the number is flagged and email is used, now and next time', async () => {
    const d = await diary();
    const who = customer();
    twilio.failWhen((sms) => (sms.to === who.mobile ? { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." } : null));
    const { booking } = await book(d, TUE_10, who);
    const [mail] = await waitMail(who.email);
    expect(mail.subject).toMatch(/^Booked: /);

    const step = await settled(booking.id, 'confirmation');
    expect(step.status).toBe('sent');
    expect(step.messages.map((m) => [m.channel, m.status, m.errorCode])).toEqual([
      ['sms', 'failed', '21211'],
      ['email', 'sent', null],
    ]);
    const [flag] = await db.query('SELECT mobile_invalid_at IS NOT NULL AS invalid FROM customers WHERE reference = $1', [who.reference]);
    expect(flag.invalid).toBe(true);

    // The next booking of the same customer goes straight to email.
    const attempts = twilio.received.length;
    const again = await book(d, WED_14, who);
    await waitMail(who.email, 2);
    expect((await settled(again.booking.id, 'confirmation')).messages.map((m) => m.channel)).toEqual(['email']);
    expect(twilio.received.length).toBe(attempts);
  });

  describe('Twilio status callbacks', () => {
    async function sentSms() {
      const d = await diary();
      const { booking, customer: who } = await book(d, TUE_10);
      const [sms] = await waitSms(who.mobile);
      await settled(booking.id, 'confirmation');
      return { booking, who, sms };
    }
    const statusOf = async (bookingId: string) => (await stepOf(bookingId, 'confirmation')).messages[0];

    it('move a message forward only: repeats and late arrivals change nothing', async () => {
      const { booking, sms } = await sentSms();
      expect((await twilio.callback(sms, 'sent')).status).toBe(204);
      expect((await statusOf(booking.id)).status).toBe('sent');
      expect((await twilio.callback(sms, 'delivered')).status).toBe(204);
      expect((await twilio.callback(sms, 'delivered')).status).toBe(204);
      expect((await twilio.callback(sms, 'sent')).status).toBe(204);
      expect((await twilio.callback(sms, 'undelivered', { errorCode: '30003' })).status).toBe(204);
      expect(await statusOf(booking.id)).toMatchObject({ status: 'delivered', errorCode: null });
    });

    it('an SMS undelivered for good flags the number and falls back to email', async () => {
      const { booking, who, sms } = await sentSms();
      expect((await twilio.callback(sms, 'undelivered', { errorCode: '30005' })).status).toBe(204);
      const [mail] = await waitMail(who.email);
      expect(mail.subject).toMatch(/^Booked: /);
      const step = await until('the email fallback', async () => {
        const s = await stepOf(booking.id, 'confirmation');
        return s.messages.length === 2 && s.status === 'sent' && s;
      });
      expect(step.messages.map((m) => [m.channel, m.status, m.errorCode])).toEqual([
        ['sms', 'undelivered', '30005'],
        ['email', 'sent', null],
      ]);
      const [flag] = await db.query('SELECT mobile_invalid_at IS NOT NULL AS invalid FROM customers WHERE reference = $1', [who.reference]);
      expect(flag.invalid).toBe(true);
    });

    it('a failure reported before Twilio has answered the send still falls back to email, once', async () => {
      const { booking, who, sms } = await bookInFlight(async (_, held) => {
        // Signed for the StatusCallback URL, which carries our id: we have no sid from Twilio yet.
        expect((await twilio.callback(held, 'undelivered', { errorCode: '30003' })).status).toBe(204);
      });
      const step = await until('the email fallback', async () => {
        const s = await stepOf(booking.id, 'confirmation');
        return s.messages.length === 2 && !['planned', 'sending'].includes(s.status) && s;
      });
      expect(step).toMatchObject({ status: 'sent', reason: null });
      expect(step.messages.map((m) => [m.channel, m.status, m.errorCode, m.providerId])).toEqual([
        ['sms', 'undelivered', '30003', sms.sid],
        ['email', 'sent', null, expect.any(String)],
      ]);
      await idle();
      expect(mailTo(who.email)).toHaveLength(1);
      expect(smsTo(who.mobile)).toHaveLength(1);
    });

    /**
     * Sets `party` going while another transaction holds the confirmation's step row and,
     * once `party` waits for that row, has the other transaction lock the step's message as
     * well: the worker and the callback both lock in that order. A party that locks the
     * message before the step deadlocks here, and PostgreSQL aborts it.
     */
    async function againstStepThenMessage<T>(bookingId: string, party: () => Promise<T>): Promise<T> {
      const [row] = await db.query(`SELECT r.id AS step, m.id AS message FROM reminders r JOIN messages m ON m.reminder_id = r.id WHERE r.booking_id = $1 AND r.step = 'confirmation'`, [bookingId]);
      const other = await connect(app.config.DATABASE_URL);
      try {
        await other.query('BEGIN');
        await other.query('SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE', [row.step]);
        const { pid } = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0];
        const result = party();
        await until('the other party to wait for the step', async () => (await db.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid])).length > 0);
        await other.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [row.message]);
        await other.query('COMMIT');
        return await result;
      } finally {
        await other.end();
      }
    }

    it('wait for a worker that holds the step, without holding its message meanwhile', async () => {
      const { booking, who, sms } = await sentSms();
      const callback = await againstStepThenMessage(booking.id, () => twilio.callback(sms, 'undelivered', { errorCode: '30003' }));
      expect(callback.status).toBe(204);
      expect((await waitMail(who.email)).map((m) => m.subject)).toEqual([expect.stringMatching(/^Booked: /)]);
    });

    it('are waited for by a worker recording Twilio\'s answer, which locks the step before its message', async () => {
      const { booking } = await bookInFlight((booking) => againstStepThenMessage(booking.id, async () => twilio.release()));
      const step = await settled(booking.id, 'confirmation');
      expect(step).toMatchObject({ status: 'sent', reason: null });
      expect(step.messages.map((m) => [m.channel, m.status])).toEqual([['sms', 'queued']]);
    });

    it('refuses forged, unsigned and tampered callbacks with 403 and changes nothing', async () => {
      const { booking, sms } = await sentSms();
      const before = await statusOf(booking.id);
      const wrongKey = await twilio.callback(sms, 'failed', { authToken: 'not-the-auth-token-0000000000' });
      expect(wrongKey.status).toBe(403);
      expect(((await wrongKey.json()) as { code: string }).code).toBe('SIGNATURE_INVALID');
      const unsigned = await twilio.callback(sms, 'failed', { signature: null });
      expect(unsigned.status).toBe(403);
      expect(((await unsigned.json()) as { code: string }).code).toBe('SIGNATURE_MISSING');
      // Signed for other parameters than those posted.
      const other: RecordedSms = { ...sms, statusCallback: sms.statusCallback!.replace(/messageId=[^&]+/, 'messageId=00000000-0000-0000-0000-000000000000') };
      const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
      const forged = await twilio.callback(sms, 'failed', {
        signature: getExpectedTwilioSignature(TEST_AUTH_TOKEN, other.statusCallback!, { MessageSid: sms.sid, MessageStatus: 'delivered' }),
      });
      expect(forged.status).toBe(403);
      expect(await statusOf(booking.id)).toEqual(before);
    });
  });

  describe('steps that go another way, or not at all', () => {
    /** Runs `fn` while the SMTP server refuses every recipient with `code`. */
    async function mailRefused<T>(code: number, fn: () => Promise<T>): Promise<T> {
      smtp.refuseWith = code;
      try {
        return await fn();
      } finally {
        smtp.refuseWith = null;
      }
    }
    const attempts = (step: { messages: any[] }) => step.messages.map((m) => [m.channel, m.status, m.errorCode]);

    it('an email the SMTP server refuses for good (550) falls back to SMS', async () => {
      const d = await diary();
      const { booking, customer: who } = await mailRefused(550, async () => {
        const made = await book(d, TUE_10, customer({ preferredChannel: 'email' }));
        await settled(made.booking.id, 'confirmation');
        return made;
      });
      const step = await stepOf(booking.id, 'confirmation');
      expect(step).toMatchObject({ status: 'sent', reason: null });
      expect(attempts(step)).toEqual([
        ['email', 'failed', '550'],
        ['sms', 'queued', null],
      ]);
      expect(smsTo(who.mobile)).toHaveLength(1);
      expect(mailTo(who.email)).toHaveLength(0);
    });

    it('fails for good on every channel: ALL_CHANNELS_FAILED', async () => {
      const d = await diary();
      const who = customer();
      twilio.failWhen((sms) => (sms.to === who.mobile ? { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." } : null));
      const step = await mailRefused(550, async () => settled((await book(d, TUE_10, who)).booking.id, 'confirmation'));
      expect(step).toMatchObject({ status: 'failed', reason: 'ALL_CHANNELS_FAILED' });
      expect(attempts(step)).toEqual([
        ['sms', 'failed', '21211'],
        ['email', 'failed', '550'],
      ]);
      expect(smsTo(who.mobile)).toHaveLength(0);
      expect(mailTo(who.email)).toHaveLength(0);
    });

    it('a provider that refuses for now on every attempt fails the step (PROVIDER_UNAVAILABLE), and the other channel is not used', async () => {
      const d = await diary();
      const who = customer({ preferredChannel: 'email' });
      const step = await mailRefused(451, async () => settled((await book(d, TUE_10, who)).booking.id, 'confirmation'));
      expect(step).toMatchObject({ status: 'failed', reason: 'PROVIDER_UNAVAILABLE', messages: [] });
      await idle();
      expect(smsTo(who.mobile)).toHaveLength(0);
      expect(mailTo(who.email)).toHaveLength(0);
    });

    it('a Twilio call that breaks off leaves the SMS unconfirmed (PROVIDER_CALL_BROKE_OFF), never sent again nor replaced by email, until its callback settles it', async () => {
      const { booking, who, sms } = await bookInFlight(async () => twilio.breakOff());
      const step = await settled(booking.id, 'confirmation');
      expect(step).toMatchObject({ status: 'unconfirmed', reason: 'PROVIDER_CALL_BROKE_OFF' });
      expect(step.messages.map((m) => [m.channel, m.status, m.providerId])).toEqual([['sms', 'unknown', null]]);
      await idle();
      expect(smsTo(who.mobile)).toHaveLength(1);
      expect(mailTo(who.email)).toHaveLength(0);

      expect((await twilio.callback(sms, 'delivered')).status).toBe(204);
      const after = await stepOf(booking.id, 'confirmation');
      expect(after).toMatchObject({ status: 'sent', reason: null });
      expect(after.messages.map((m) => [m.channel, m.status, m.providerId])).toEqual([['sms', 'delivered', sms.sid]]);
    });

    it.each([
      ['a site closure', (d: BuiltDiary) => api.post(`/v1/sites/${d.siteId}/closures`, { date: '2027-01-05', reason: 'Flood' })],
      ['an adviser absence', (d: BuiltDiary) => api.post(`/v1/advisers/${d.adviserId}/exceptions`, { from: '2027-01-05', to: '2027-01-05', kind: 'leave' })],
    ])('%s after booking stops its reminders (NEEDS_REBOOKING)', async (_, stop) => {
      const d = await diary();
      const { booking, customer: who } = await book(d, TUE_10);
      await settled(booking.id, 'confirmation');
      const stopped = await stop(d);
      expect(stopped.status).toBe(201);
      expect(stopped.body.affectedBookings.map((b: { id: string }) => b.id)).toEqual([booking.id]);
      // Their time comes (the delayed jobs are brought forward), and each finds the booking to be rebooked.
      for (const step of ['days_before', 'same_day']) {
        const job = await until(`the ${step} job`, () => queue.getJob(reminderJobId({ booking_id: booking.id, step, version: 1, round: 0 })));
        await job.promote();
        expect(await settled(booking.id, step)).toMatchObject({ status: 'skipped', reason: 'NEEDS_REBOOKING', messages: [] });
      }
      expect(smsTo(who.mobile)).toHaveLength(1);
    });
  });

  describe('templates', () => {
    it('refuses an SMS that could exceed two segments, and an unknown placeholder', async () => {
      const d = await diary();
      const long = await api.request('PUT', `/v1/appointment-types/${d.typeCode}/templates`, {
        step: 'confirmation',
        channel: 'sms',
        variant: 'standard',
        body: `${'Please remember your appointment. '.repeat(8)}{{site}} {{address}}`,
      });
      expect(long.status).toBe(422);
      expect(long.body.code).toBe('TEMPLATE_INVALID');
      expect(long.body.details.map((p: { code: string }) => p.code)).toEqual(['TOO_LONG']);
      const unknown = await api.request('PUT', `/v1/appointment-types/${d.typeCode}/templates`, { step: 'same_day', channel: 'sms', variant: 'standard', body: 'See you {{when}}' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.details.map((p: { code: string }) => p.code)).toEqual(['UNKNOWN_PLACEHOLDER']);
      expect(await db.count('message_templates')).toBe(0);
    });

    it('uses a saved template, the site override before the type-wide one, in the booking\'s variant', async () => {
      const d = await diary();
      for (const variant of ['standard', 'missed_cost']) {
        const typeWide = await api.request('PUT', `/v1/appointment-types/${d.typeCode}/templates`, { step: 'confirmation', channel: 'sms', variant, body: `TYPE ${variant} {{date}} {{time}}` });
        expect(typeWide.status).toBe(200);
        expect(typeWide.body.worstCaseSegments).toBe(1);
        const bySite = await api.request('PUT', `/v1/appointment-types/${d.typeCode}/templates`, { step: 'confirmation', channel: 'sms', variant, siteId: d.siteId, body: `SITE ${variant} {{date}} {{time}} at {{site}}` });
        expect(bySite.status).toBe(200);
      }
      const { booking, customer: who } = await book(d, TUE_10);
      const [sms] = await waitSms(who.mobile);
      // The template, then the personal link that every reminder carries.
      expect(sms.body).toMatch(new RegExp(`^SITE ${booking.messageVariant} Tuesday 5 January 10:00am at Site [0-9A-F]{6} No credit\\? ${gateway.url}/b/[A-Za-z0-9_-]{22}$`));
    });
  });
});

describe('Twilio status callbacks with no auth token configured', () => {
  const e2e = useTestApp();

  it('accept nothing', async () => {
    const response = await checkedFetch(`${e2e.app.url}/v1/webhooks/twilio/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'anything' },
      body: 'MessageSid=SM00000000000000000000000000000000&MessageStatus=delivered',
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('WEBHOOK_DISABLED');
  });
});
