import { Test, TestingModule } from '@nestjs/testing';
import { Job } from 'bullmq';
import { AppModule } from '../../src/app.module';
import { Queues } from '../../src/common/queue/queues';
import { DeliveryService } from '../../src/reminders/delivery.service';
import { OutboxRelay, REMINDER_QUEUE, ReminderJob, reminderJobId } from '../../src/reminders/outbox.relay';
import { ReminderProcessor } from '../../src/reminders/reminder.processor';
import { ADMIN, createTestContext, serviceBooking, serviceDiary, TestContext } from '../support/context';
import { uniq } from '../support/fixtures';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';
import { until } from '../support/wait';

// Reminders are claimed in batches. Two workers (two application instances on one
// database and one Redis, each with its own pool) that are handed the same due steps at
// the same moment send each of them once: the Twilio stand-in, behind the real twilio
// library, receives one SMS per step, and each step has one message per channel.

const N = 24;
// Monday 7 to Wednesday 9 June 2027, eight hourly slots a day (BST).
const STARTS = Array.from({ length: N }, (_, i) => `2027-06-0${7 + Math.floor(i / 8)}T${String(9 + (i % 8)).padStart(2, '0')}:00:00+01:00`);

describe('reminder batches claimed by two workers at once (integration, PostgreSQL, Redis, Twilio stand-in)', () => {
  let twilio: TwilioStandIn;
  let ctx: TestContext;
  let other: TestingModule;

  beforeAll(async () => {
    twilio = await TwilioStandIn.start();
    ctx = await createTestContext({ TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, TWILIO_FROM: TEST_FROM, TWILIO_API_URL: twilio.url, WORKER_CONCURRENCY: '8' });
    other = await Test.createTestingModule({ imports: [AppModule.with(ctx.config)] }).compile();
    await other.init();
    // Only the tests hand steps to workers here.
    for (const app of [ctx.module, other]) await app.get(OutboxRelay).onApplicationShutdown();
  });

  afterAll(async () => {
    await other?.close();
    await ctx?.close();
    await twilio?.close();
  });

  beforeEach(() => twilio.reset());

  /** N bookings in a diary of their own, each on its own mobile, whose confirmations are due now. */
  async function dueConfirmations(): Promise<{ reminderIds: string[]; mobiles: string[] }> {
    const diary = await serviceDiary(ctx);
    const run = uniq();
    const mobiles: string[] = [];
    const bookingIds: string[] = [];
    for (const [i, start] of STARTS.entries()) {
      const body = serviceBooking(diary, start, `BATCH-${run}-${i}`);
      // 07400 is a mobile range throughout; a random 074xx, 076xx or 070xx prefix is not always one.
      body.customer.mobile = `+447400${String(parseInt(run, 16) % 1_000).padStart(3, '0')}${String(i).padStart(3, '0')}`;
      mobiles.push(body.customer.mobile);
      bookingIds.push((await ctx.bookings.book(ADMIN, body)).booking.id);
    }
    const rows = await ctx.db.query<{ id: string }>(`SELECT id FROM reminders WHERE booking_id = ANY ($1) AND step = 'confirmation' ORDER BY booking_id`, [bookingIds]);
    return { reminderIds: rows.map((r) => r.id), mobiles };
  }

  async function expectEachSentOnce(reminderIds: string[], mobiles: string[]): Promise<void> {
    await twilio.waitFor(N);
    expect(twilio.received.map((m) => m.to).sort()).toEqual([...mobiles].sort());
    const [counts] = await ctx.db.query<{ sent: number; messages: number; duplicates: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM reminders WHERE id = ANY ($1) AND status = 'sent') AS sent,
              (SELECT count(*)::int FROM messages WHERE reminder_id = ANY ($1)) AS messages,
              (SELECT count(*)::int FROM (SELECT 1 FROM messages WHERE reminder_id = ANY ($1) GROUP BY reminder_id, channel HAVING count(*) > 1) d) AS duplicates,
              (SELECT count(*)::int FROM booking_events WHERE kind = 'reminder_sent' AND booking_id IN (SELECT booking_id FROM reminders WHERE id = ANY ($1))) AS events`,
      [reminderIds],
    );
    expect(counts).toEqual({ sent: N, messages: N, duplicates: 0, events: N });
    expect(new Set(twilio.received.map((m) => m.sid)).size).toBe(N);
  }

  it('two workers claiming the same batch, in opposite orders, at the same instant: each step is sent once', async () => {
    const { reminderIds, mobiles } = await dueConfirmations();
    const [mine, theirs] = await Promise.all([ctx.module.get(DeliveryService).deliverAll(reminderIds), other.get(DeliveryService).deliverAll([...reminderIds].reverse())]);
    // Whichever claimed a step sent it; the other found it sent, or (while the sender still
    // waited for Twilio) in flight, which it records as unconfirmed and the sender then settles.
    for (const result of [...mine, ...theirs]) expect(result).toMatchObject({ status: 'fulfilled', value: { done: expect.stringMatching(/^(sent|unconfirmed)$/) } });
    await expectEachSentOnce(reminderIds, mobiles);
    twilio.reset();
    // Nothing is left to send: a third look finds every step sent.
    expect(await ctx.module.get(DeliveryService).deliverAll(reminderIds)).toEqual(reminderIds.map(() => ({ status: 'fulfilled', value: { done: 'sent' } })));
    expect(twilio.received).toEqual([]);
  });

  it('job data that is no step id is missing, and the rest of its batch goes', async () => {
    const { reminderIds, mobiles } = await dueConfirmations();
    const results = await ctx.module.get(DeliveryService).deliverAll(['not-a-step', ...reminderIds]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { done: 'missing' } });
    expect(results.slice(1)).toEqual(reminderIds.map(() => ({ status: 'fulfilled', value: { done: 'sent' } })));
    await expectEachSentOnce(reminderIds, mobiles);
  });

  it('two BullMQ workers on Redis given two jobs for every step: each step is sent once', async () => {
    const { reminderIds, mobiles } = await dueConfirmations();
    const rows = await ctx.db.query<{ id: string; booking_id: string; step: string; version: number; round: number }>('SELECT id, booking_id, step, version, round FROM reminders WHERE id = ANY ($1)', [reminderIds]);
    const queue = ctx.module.get(Queues).queue<ReminderJob>(REMINDER_QUEUE);
    // The same step under two job ids, side by side in the queue, as a replayed or stalled job would be.
    await queue.addBulk(rows.flatMap((r) => ['', '.again'].map((suffix) => ({ name: r.step, data: { reminderId: r.id }, opts: { jobId: `${reminderJobId(r)}${suffix}` } }))));
    const workers = [ctx.module, other].map((app) => {
      const processor = app.get(ReminderProcessor);
      return app.get(Queues).worker<ReminderJob>(REMINDER_QUEUE, (job, token) => processor.process(job as Job<ReminderJob>, token), { concurrency: 8 });
    });
    try {
      await until('every job to complete', async () => (await queue.getJobCounts('completed')).completed === 2 * N);
      await expectEachSentOnce(reminderIds, mobiles);
      expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});
