import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { BookingView } from '../../src/bookings/dto/bookings.dto';
import { EmailChannel, SmsChannel } from '../../src/reminders/channels/channel';
import { DeliveryService } from '../../src/reminders/delivery.service';
import { DEFAULT_REMINDER_POLICY } from '../../src/reminders/domain/reminder-plan';
import { OutboxRelay, REMINDER_QUEUE, reminderJobId } from '../../src/reminders/outbox.relay';
import { RemindersService } from '../../src/reminders/reminders.service';
import { ADMIN, serviceBooking, serviceDiary, Services, useTestContext } from '../support/context';
import { BuiltDiary, londonHour, slotRef, uniq } from '../support/fixtures';
import { until } from '../support/wait';

// The reminder services against real PostgreSQL (and Redis, or BullMQ's PostgreSQL
// backend) with "now" fixed: the plan rows a booking, a move and a cancellation write,
// what DeliveryService does with a step at a given instant, the outbox relay, and a
// customer's SMS flags. Sites are in Europe/London, where BST runs from Sunday 28 March
// 2027 01:00Z to Sunday 31 October 2027 01:00Z. Default policy: 2 days before at 10:00,
// 3 hours before on the day, quiet 20:00-08:00, 60 minutes' minimum gap.

const t = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

interface ReminderRow {
  id: string;
  booking_id: string;
  step: string;
  version: number;
  round: number;
  send_at: Date | null;
  status: string;
  reason: string | null;
  relay: string;
}

/** One step of a booking's plan as the tests compare it: send_at as a UTC ISO string. */
const step = (version: number, name: string, sendAt: string | null, status: string, reason: string | null, relay: string) => ({ version, step: name, sendAt, status, reason, relay });

/** Reading and writing a context's bookings and reminders. */
function reminderHelpers(ctx: Services) {
  const book = async (diary: BuiltDiary, start: string, now: number, reference?: string): Promise<BookingView> =>
    (await ctx.bookings.book(ADMIN, serviceBooking(diary, start, reference), undefined, now)).booking;
  const rows = (bookingId: string) =>
    ctx.db.query<ReminderRow>(
      `SELECT id, booking_id, step, version, round, send_at, status, reason, relay FROM reminders WHERE booking_id = $1
        ORDER BY version, array_position(ARRAY['confirmation', 'days_before', 'same_day', 'cancellation'], step)`,
      [bookingId],
    );
  const plan = async (bookingId: string) => (await rows(bookingId)).map((r) => step(r.version, r.step, r.send_at?.toISOString() ?? null, r.status, r.reason, r.relay));
  const reminder = async (bookingId: string, name: string, version = 1): Promise<ReminderRow> => {
    const found = (await rows(bookingId)).find((r) => r.step === name && r.version === version);
    if (!found) throw new Error(`No ${name} v${version} for booking ${bookingId}`);
    return found;
  };
  const messages = (reminderId: string) =>
    ctx.db.query<{ channel: string; recipient: string; status: string; body: string; provider_id: string | null }>(
      'SELECT channel, recipient, status, body, provider_id FROM messages WHERE reminder_id = $1 ORDER BY created_at',
      [reminderId],
    );
  const setStatus = (reminderId: string, status: string) => ctx.db.query('UPDATE reminders SET status = $2 WHERE id = $1', [reminderId, status]);
  // The relay starts with the application and is kicked by every booking; stopped, it
  // runs only when a test calls relayBatch, so the outbox column holds what the planner wrote.
  const stopBackgroundRelay = () => ctx.module.get(OutboxRelay).onApplicationShutdown();
  return { book, rows, plan, reminder, messages, setStatus, stopBackgroundRelay };
}

describe('reminders (integration)', () => {
  const ctx = useTestContext();
  const { book, plan, reminder, messages, setStatus, stopBackgroundRelay } = reminderHelpers(ctx);
  const delivery = () => ctx.module.get(DeliveryService);
  let providerCalls: () => number;

  beforeAll(async () => {
    await stopBackgroundRelay();
    // The log transports (no Twilio, no SMTP configured) report success; the spies count calls to them.
    const sms = jest.spyOn(ctx.module.get(SmsChannel), 'send');
    const email = jest.spyOn(ctx.module.get(EmailChannel), 'send');
    providerCalls = () => sms.mock.calls.length + email.mock.calls.length;
  });
  afterAll(() => jest.restoreAllMocks());

  describe('plans stored across the clock changes (Europe/London)', () => {
    it('spring: Monday 29 March 2027, the day after the clocks go forward', async () => {
      // Easter Monday 2027 is 29 March, an English bank holiday; the site keeps none so that its diary is open.
      const diary = await serviceDiary(ctx, { site: { timezone: 'Europe/London', bankHolidays: 'NONE' } });

      // Booked Wednesday 24 March 12:00 GMT (12:00Z) for Monday 10:00 BST (09:00Z).
      const monday = await book(diary, '2027-03-29T10:00:00+01:00', t('2027-03-24T12:00:00Z'));
      expect(await plan(monday.id)).toEqual([
        // At once.
        step(1, 'confirmation', '2027-03-24T12:00:00.000Z', 'planned', null, 'add'),
        // Saturday 27 March 10:00, still GMT: 10:00Z (not 09:00Z, which is the start less 48 hours).
        step(1, 'days_before', '2027-03-27T10:00:00.000Z', 'planned', null, 'add'),
        // 09:00Z - 3h = 06:00Z = 07:00 BST, inside quiet hours, so at their end, 08:00 BST = 07:00Z.
        step(1, 'same_day', '2027-03-29T07:00:00.000Z', 'planned', null, 'add'),
      ]);

      // Booked Sunday 28 March 21:30 BST (20:30Z), the evening of the change, for Monday 11:00 BST (10:00Z).
      const evening = await book(diary, '2027-03-29T11:00:00+01:00', t('2027-03-28T20:30:00Z'));
      expect(await plan(evening.id)).toEqual([
        // 21:30 is quiet: 08:00 BST next morning = 07:00Z (08:00Z if quiet hours were read in UTC).
        step(1, 'confirmation', '2027-03-29T07:00:00.000Z', 'planned', null, 'add'),
        // Saturday 10:00 GMT is before the booking was made.
        step(1, 'days_before', null, 'skipped', 'PASSED', 'done'),
        // 10:00Z - 3h = 07:00Z = 08:00 BST: the very instant of the confirmation, closer than 60 minutes.
        step(1, 'same_day', null, 'skipped', 'TOO_CLOSE', 'done'),
      ]);
    });

    it('autumn: Monday 1 November 2027, the day after the clocks go back', async () => {
      const diary = await serviceDiary(ctx, { site: { timezone: 'Europe/London' } });

      // Booked Wednesday 27 October 12:00 BST (11:00Z) for Monday 10:00 GMT (10:00Z).
      const monday = await book(diary, '2027-11-01T10:00:00+00:00', t('2027-10-27T11:00:00Z'));
      expect(await plan(monday.id)).toEqual([
        step(1, 'confirmation', '2027-10-27T11:00:00.000Z', 'planned', null, 'add'),
        // Saturday 30 October 10:00, still BST: 09:00Z (not 10:00Z, the start less 48 hours).
        step(1, 'days_before', '2027-10-30T09:00:00.000Z', 'planned', null, 'add'),
        // 10:00Z - 3h = 07:00Z = 07:00 GMT, quiet, so 08:00 GMT = 08:00Z.
        step(1, 'same_day', '2027-11-01T08:00:00.000Z', 'planned', null, 'add'),
      ]);

      // Booked Sunday 31 October 21:30 GMT (21:30Z), the evening of the change, for Monday 14:00 GMT (14:00Z).
      const evening = await book(diary, '2027-11-01T14:00:00+00:00', t('2027-10-31T21:30:00Z'));
      expect(await plan(evening.id)).toEqual([
        // Quiet: 08:00 GMT next morning = 08:00Z.
        step(1, 'confirmation', '2027-11-01T08:00:00.000Z', 'planned', null, 'add'),
        // Saturday 10:00 BST (09:00Z) had passed.
        step(1, 'days_before', null, 'skipped', 'PASSED', 'done'),
        // 14:00Z - 3h = 11:00Z = 11:00 GMT, three hours after the confirmation.
        step(1, 'same_day', '2027-11-01T11:00:00.000Z', 'planned', null, 'add'),
      ]);
    });
  });

  describe('quiet hours and the appointment time, checked again at send time', () => {
    it('defers a step that comes due in quiet hours to 08:00 local, sending nothing, and sends it then', async () => {
      const diary = await serviceDiary(ctx);
      // Booked Monday 7 June 12:00 BST (11:00Z) for Wednesday 9 June 10:00 BST (09:00Z).
      const booking = await book(diary, '2027-06-09T10:00:00+01:00', t('2027-06-07T11:00:00Z'));
      expect(await plan(booking.id)).toEqual([
        step(1, 'confirmation', '2027-06-07T11:00:00.000Z', 'planned', null, 'add'),
        step(1, 'days_before', null, 'skipped', 'PASSED', 'done'), // Monday 10:00 BST had passed
        step(1, 'same_day', '2027-06-09T07:00:00.000Z', 'planned', null, 'add'), // 07:00 BST -> 08:00 BST
      ]);
      const confirmation = await reminder(booking.id, 'confirmation');
      const calls = providerCalls();

      // The worker was behind: the job comes up at 23:15 BST, at 00:30 BST on Tuesday (still
      // Monday in UTC) and at 07:59 BST. Each time it waits for Tuesday 08:00 BST = 07:00Z.
      const tuesday8 = t('2027-06-08T07:00:00Z');
      for (const now of ['2027-06-07T22:15:00Z', '2027-06-07T23:30:00Z', '2027-06-08T06:59:00Z']) {
        expect(await delivery().deliver(confirmation.id, t(now))).toEqual({ deferUntil: tuesday8 });
      }
      expect(await messages(confirmation.id)).toEqual([]);
      expect(providerCalls()).toBe(calls);
      expect(await reminder(booking.id, 'confirmation')).toMatchObject({ status: 'planned', reason: null });

      // At 08:00 BST it goes.
      expect(await delivery().deliver(confirmation.id, tuesday8)).toEqual({ done: 'sent' });
      expect(await messages(confirmation.id)).toEqual([expect.objectContaining({ channel: 'sms', recipient: '+447911123456', status: 'sent' })]);
      expect(providerCalls()).toBe(calls + 1);
    });

    it('skips a step whose job runs once the appointment has started (PASSED), sending nothing', async () => {
      const diary = await serviceDiary(ctx);
      const booking = await book(diary, '2027-06-09T10:00:00+01:00', t('2027-06-07T11:00:00Z'));
      const sameDay = await reminder(booking.id, 'same_day');
      expect(sameDay).toMatchObject({ status: 'planned', send_at: new Date('2027-06-09T07:00:00Z') });
      const calls = providerCalls();

      // Up at 10:00 BST (09:00Z), the very start.
      expect(await delivery().deliver(sameDay.id, t('2027-06-09T09:00:00Z'))).toEqual({ done: 'skipped' });
      expect(await reminder(booking.id, 'same_day')).toMatchObject({ status: 'skipped', reason: 'PASSED' });
      // A replay of the job finds the step finished.
      expect(await delivery().deliver(sameDay.id, t('2027-06-09T09:00:00Z'))).toEqual({ done: 'skipped' });
      expect(await messages(sameDay.id)).toEqual([]);
      expect(providerCalls()).toBe(calls);
    });

    it("reads the site's policy at send time: quiet hours that end at the start skip the step (AFTER_APPOINTMENT)", async () => {
      const diary = await serviceDiary(ctx);
      // Wednesday 9 June 09:00 BST (08:00Z); same_day at 06:00 BST -> 08:00 BST = 07:00Z.
      const booking = await book(diary, '2027-06-09T09:00:00+01:00', t('2027-06-07T11:00:00Z'));
      const sameDay = await reminder(booking.id, 'same_day');
      expect(sameDay.send_at).toEqual(new Date('2027-06-09T07:00:00Z'));
      // Quiet hours now last until 09:00, the start itself.
      await ctx.module.get(RemindersService).savePolicy(diary.siteId, { ...DEFAULT_REMINDER_POLICY, quietUntil: '09:00' });

      expect(await delivery().deliver(sameDay.id, t('2027-06-09T07:00:00Z'))).toEqual({ done: 'skipped' });
      expect(await reminder(booking.id, 'same_day')).toMatchObject({ status: 'skipped', reason: 'AFTER_APPOINTMENT' });
      expect(await messages(sameDay.id)).toEqual([]);
    });
  });

  describe('plan versions', () => {
    // Booked Monday 7 June 12:00 BST (11:00Z).
    const BOOKED = t('2027-06-07T11:00:00Z');

    it('a reschedule supersedes version 1: its steps send nothing, version 2 sends', async () => {
      const diary = await serviceDiary(ctx);
      const booking = await book(diary, '2027-06-11T14:00:00+01:00', BOOKED);
      await ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, '2027-06-11T15:00:00+01:00'), BOOKED);
      expect(await plan(booking.id)).toEqual([
        // Withdrawn before the relay saw them: 'done', never queued.
        step(1, 'confirmation', '2027-06-07T11:00:00.000Z', 'superseded', null, 'done'),
        step(1, 'days_before', '2027-06-09T09:00:00.000Z', 'superseded', null, 'done'),
        step(1, 'same_day', '2027-06-11T10:00:00.000Z', 'superseded', null, 'done'),
        step(2, 'confirmation', '2027-06-07T11:00:00.000Z', 'planned', null, 'add'),
        step(2, 'days_before', '2027-06-09T09:00:00.000Z', 'planned', null, 'add'),
        // 15:00 BST - 3h = 12:00 BST = 11:00Z.
        step(2, 'same_day', '2027-06-11T11:00:00.000Z', 'planned', null, 'add'),
      ]);
      const [{ plan_version }] = await ctx.db.query('SELECT plan_version FROM bookings WHERE id = $1', [booking.id]);
      expect(plan_version).toBe(2);
      const calls = providerCalls();

      const oldDaysBefore = await reminder(booking.id, 'days_before', 1);
      expect(await delivery().deliver(oldDaysBefore.id, t('2027-06-09T09:00:00Z'))).toEqual({ done: 'superseded' });
      expect(await messages(oldDaysBefore.id)).toEqual([]);

      // A v1 step back at 'planned' (it was mid-send when the booking moved, and the provider
      // refused, so the claim was released) is caught by the version check itself.
      const oldSameDay = await reminder(booking.id, 'same_day', 1);
      await setStatus(oldSameDay.id, 'planned');
      expect(await delivery().deliver(oldSameDay.id, t('2027-06-11T10:00:00Z'))).toEqual({ done: 'superseded' });
      expect(await reminder(booking.id, 'same_day', 1)).toMatchObject({ status: 'superseded' });
      expect(await messages(oldSameDay.id)).toEqual([]);
      expect(providerCalls()).toBe(calls);

      const newConfirmation = await reminder(booking.id, 'confirmation', 2);
      expect(await delivery().deliver(newConfirmation.id, BOOKED)).toEqual({ done: 'sent' });
      expect(await messages(newConfirmation.id)).toHaveLength(1);
    });

    it('a cancellation withdraws version 1, and with nothing yet sent plans no word of it (NOTHING_SENT)', async () => {
      const diary = await serviceDiary(ctx);
      const booking = await book(diary, '2027-06-11T10:00:00+01:00', BOOKED);
      await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Found work' }, BOOKED);
      expect(await plan(booking.id)).toEqual([
        step(1, 'confirmation', '2027-06-07T11:00:00.000Z', 'cancelled', null, 'done'),
        step(1, 'days_before', '2027-06-09T09:00:00.000Z', 'cancelled', null, 'done'),
        step(1, 'same_day', '2027-06-11T07:00:00.000Z', 'cancelled', null, 'done'),
        step(2, 'cancellation', null, 'skipped', 'NOTHING_SENT', 'done'),
      ]);
      const calls = providerCalls();
      const daysBefore = await reminder(booking.id, 'days_before');
      expect(await delivery().deliver(daysBefore.id, t('2027-06-09T09:00:00Z'))).toEqual({ done: 'cancelled' });
      const cancellation = await reminder(booking.id, 'cancellation', 2);
      expect(await delivery().deliver(cancellation.id, BOOKED)).toEqual({ done: 'skipped' });
      expect(await messages(daysBefore.id)).toEqual([]);
      expect(await messages(cancellation.id)).toEqual([]);
      expect(providerCalls()).toBe(calls);
    });

    it.each(['sent', 'unconfirmed'])('a customer already told of the booking (confirmation %s) is told of its cancellation, after quiet hours', async (told) => {
      const diary = await serviceDiary(ctx);
      const booking = await book(diary, '2027-06-11T10:00:00+01:00', BOOKED);
      const confirmation = await reminder(booking.id, 'confirmation');
      await setStatus(confirmation.id, told);
      // Cancelled Monday 22:00 BST (21:00Z): word goes at 08:00 BST Tuesday = 07:00Z.
      await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Found work' }, t('2027-06-07T21:00:00Z'));
      expect(await plan(booking.id)).toEqual([
        step(1, 'confirmation', '2027-06-07T11:00:00.000Z', told, null, 'add'),
        step(1, 'days_before', '2027-06-09T09:00:00.000Z', 'cancelled', null, 'done'),
        step(1, 'same_day', '2027-06-11T07:00:00.000Z', 'cancelled', null, 'done'),
        step(2, 'cancellation', '2027-06-08T07:00:00.000Z', 'planned', null, 'add'),
      ]);
      const cancellation = await reminder(booking.id, 'cancellation', 2);
      expect(await delivery().deliver(cancellation.id, t('2027-06-08T07:00:00Z'))).toEqual({ done: 'sent' });
      const [message, ...more] = await messages(cancellation.id);
      expect(more).toEqual([]);
      expect(message).toMatchObject({ channel: 'sms', recipient: '+447911123456', status: 'sent' });
      expect(message.body).toContain('on Friday 11 June at 10:00am is cancelled');
    });
  });

  describe("in the booking's history", () => {
    const kinds = async (bookingId: string) =>
      (await ctx.db.query<{ kind: string; data: { step: string; channel?: string; reason?: string } }>('SELECT kind, data FROM booking_events WHERE booking_id = $1 ORDER BY id', [bookingId])).map(
        (e) => [e.kind, e.data.step, e.data.channel ?? e.data.reason],
      );

    it('an SMS handed to the provider is sent, an email taken by the server is delivered', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-06-01T11:00:00Z');
      const bySms = await book(diary, '2027-06-07T10:00:00+01:00', now);
      const emailBody = serviceBooking(diary, '2027-06-07T11:00:00+01:00');
      emailBody.customer.preferredChannel = 'email';
      const byEmail = (await ctx.bookings.book(ADMIN, emailBody, undefined, now)).booking;
      for (const booking of [bySms, byEmail]) expect(await delivery().deliver((await reminder(booking.id, 'confirmation')).id, now)).toEqual({ done: 'sent' });
      expect(await kinds(bySms.id)).toEqual([
        ['created', undefined, undefined],
        ['reminder_sent', 'confirmation', 'sms'],
      ]);
      expect(await kinds(byEmail.id)).toEqual([
        ['created', undefined, undefined],
        ['reminder_delivered', 'confirmation', 'email'],
      ]);
      // The signal the show model reads (show-model.spec shows it moving the probability).
      expect(await ctx.db.query('SELECT reminder_state FROM bookings WHERE id = ANY ($1) ORDER BY starts_at', [[bySms.id, byEmail.id]])).toEqual([{ reminder_state: 'pending' }, { reminder_state: 'delivered' }]);
    });

    it('a step that no channel could take is a failed reminder', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-06-01T11:00:00Z');
      const booking = await book(diary, '2027-06-07T12:00:00+01:00', now);
      const confirmation = await reminder(booking.id, 'confirmation');
      await ctx.db.query(`INSERT INTO messages (id, reminder_id, channel, recipient, variant, body, status) VALUES (gen_random_uuid(), $1, 'sms', 'x', 'standard', 'x', 'failed'), (gen_random_uuid(), $1, 'email', 'x', 'standard', 'x', 'failed')`, [confirmation.id]);
      expect(await delivery().deliver(confirmation.id, now)).toEqual({ done: 'failed' });
      expect(await kinds(booking.id)).toEqual([
        ['created', undefined, undefined],
        ['reminder_failed', 'confirmation', 'ALL_CHANNELS_FAILED'],
      ]);
      expect(await ctx.db.query('SELECT reminder_state FROM bookings WHERE id = $1', [booking.id])).toEqual([{ reminder_state: 'failed' }]);
    });
  });

  describe("a customer's SMS flags", () => {
    it('are cleared by a booking with a different mobile, and kept by one with the same number or none', async () => {
      const diary = await serviceDiary(ctx);
      const reference = `FLAGS-${uniq()}`;
      const now = t('2027-06-01T11:00:00Z');
      const bookWith = async (start: string, customer: { mobile?: string; preferredChannel?: 'sms' | 'email' }) => {
        const body = serviceBooking(diary, start, reference);
        if (customer.mobile === undefined) delete body.customer.mobile;
        else body.customer.mobile = customer.mobile;
        body.customer.preferredChannel = customer.preferredChannel ?? 'sms';
        return (await ctx.bookings.book(ADMIN, body, undefined, now)).booking;
      };
      const customerRow = async () =>
        (await ctx.db.query('SELECT mobile, mobile_invalid_at, sms_opted_out_at FROM customers WHERE reference = $1', [reference])) as {
          mobile: string;
          mobile_invalid_at: Date | null;
          sms_opted_out_at: Date | null;
        }[];
      const channelOfConfirmation = async (booking: BookingView) => {
        const confirmation = await reminder(booking.id, 'confirmation');
        expect(await delivery().deliver(confirmation.id, now)).toEqual({ done: 'sent' });
        return (await messages(confirmation.id)).map((m) => [m.channel, m.recipient]);
      };

      await bookWith('2027-06-07T09:00:00+01:00', { mobile: '07911 123456' });
      // A provider said the number is not a mobile, and the customer texted STOP.
      await ctx.db.query(`UPDATE customers SET mobile_invalid_at = '2027-05-01T00:00:00Z', sms_opted_out_at = '2027-05-02T00:00:00Z' WHERE reference = $1`, [reference]);
      const flagged = { mobile: '+447911123456', mobile_invalid_at: new Date('2027-05-01T00:00:00Z'), sms_opted_out_at: new Date('2027-05-02T00:00:00Z') };

      // The same number, written another way: it normalises to the one on file, and the flags stand.
      const same = await bookWith('2027-06-07T10:00:00+01:00', { mobile: '+44 7911 123456' });
      expect(await customerRow()).toEqual([flagged]);
      expect(await channelOfConfirmation(same)).toEqual([['email', 'sam@example.com']]);

      // No number at all: the one on file and its flags stay.
      await bookWith('2027-06-07T11:00:00+01:00', { preferredChannel: 'email' });
      expect(await customerRow()).toEqual([flagged]);

      // A different number starts clean.
      const changed = await bookWith('2027-06-07T12:00:00+01:00', { mobile: '07912 345678' });
      expect(await customerRow()).toEqual([{ mobile: '+447912345678', mobile_invalid_at: null, sms_opted_out_at: null }]);
      expect(await channelOfConfirmation(changed)).toEqual([['sms', '+447912345678']]);
    });

    it('a STOP holds for the number: a customer record made later with the same mobile is not texted', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-06-01T11:00:00Z');
      const mobile = `+4479112${String(parseInt(uniq(), 16) % 1e5).padStart(5, '0')}`;
      const bookAs = async (reference: string, start: string) => {
        const body = serviceBooking(diary, start, reference);
        Object.assign(body.customer, { mobile, preferredChannel: 'sms' });
        return (await ctx.bookings.book(ADMIN, body, undefined, now)).booking;
      };
      const channelOfConfirmation = async (bookingId: string) => {
        const confirmation = await reminder(bookingId, 'confirmation');
        expect(await delivery().deliver(confirmation.id, now)).toEqual({ done: 'sent' });
        return (await messages(confirmation.id)).map((m) => m.channel);
      };
      const first = await bookAs(`STOP-A-${uniq()}`, '2027-06-07T09:00:00+01:00');
      // The number texted STOP, as the replies service records it: on every customer it had then.
      await ctx.db.query('UPDATE customers SET sms_opted_out_at = $2 WHERE mobile = $1', [mobile, new Date(now)]);
      expect(await channelOfConfirmation(first.id)).toEqual(['email']);
      // Booked afresh under another reference: a new record, with no opt-out of its own.
      const later = await bookAs(`STOP-B-${uniq()}`, '2027-06-07T10:00:00+01:00');
      expect(await ctx.db.query('SELECT sms_opted_out_at FROM customers WHERE id = (SELECT customer_id FROM bookings WHERE id = $1)', [later.id])).toEqual([{ sms_opted_out_at: null }]);
      expect(await channelOfConfirmation(later.id)).toEqual(['email']);
      // START from the number clears every record on it, and texts go again.
      await ctx.db.query('UPDATE customers SET sms_opted_out_at = NULL WHERE mobile = $1', [mobile]);
      const again = await bookAs(`STOP-C-${uniq()}`, '2027-06-07T11:00:00+01:00');
      expect(await channelOfConfirmation(again.id)).toEqual(['sms']);
    });
  });
});

describe('outbox relay to BullMQ on Redis (integration)', () => {
  const ctx = useTestContext();
  const { book, rows, plan, reminder, setStatus, stopBackgroundRelay } = reminderHelpers(ctx);
  const relay = () => ctx.module.get(OutboxRelay);
  let connection: IORedis;
  let queue: Queue;
  // Booked Monday 7 June 12:00 BST (11:00Z).
  const NOW = t('2027-06-07T11:00:00Z');

  beforeAll(async () => {
    await stopBackgroundRelay();
    connection = new IORedis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(REMINDER_QUEUE, { connection, prefix: ctx.config.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
  });

  const jobOf = (r: Pick<ReminderRow, 'booking_id' | 'step' | 'version' | 'round'>) => queue.getJob(reminderJobId(r));
  const jobTotal = async () => Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0);
  const outbox = async () => (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE relay <> 'done'`))[0].n;

  it('hands each planned step to the queue once, as a job with a deterministic id delayed until send_at', async () => {
    const diary = await serviceDiary(ctx);
    // Friday 11 June 14:00 BST: confirmation now, days_before Wednesday 10:00 BST, same_day 11:00 BST.
    const booking = await book(diary, '2027-06-11T14:00:00+01:00', NOW);
    const planned = await rows(booking.id);
    expect(planned.map((r) => r.relay)).toEqual(['add', 'add', 'add']);
    expect(await jobTotal()).toBe(0);

    expect(await relay().relayBatch(NOW)).toBe(3);
    expect((await rows(booking.id)).map((r) => r.relay)).toEqual(['done', 'done', 'done']);
    const delays = { confirmation: 0, days_before: t('2027-06-09T09:00:00Z') - NOW, same_day: t('2027-06-11T10:00:00Z') - NOW };
    for (const r of planned) {
      const job = await jobOf(r);
      expect(job).toBeDefined();
      expect(job!.id).toBe(`${booking.id}.${r.step}.1.0`);
      expect(job!).toMatchObject({ name: r.step, data: { reminderId: r.id }, delay: delays[r.step as keyof typeof delays] });
      expect(job!.opts).toMatchObject({ attempts: ctx.config.REMINDER_ATTEMPTS, backoff: { type: 'exponential', delay: ctx.config.REMINDER_BACKOFF_MS } });
      // No worker runs here (RUN_WORKER false): the confirmation waits, the rest are delayed.
      expect(await job!.getState()).toBe(r.step === 'confirmation' ? 'waiting' : 'delayed');
    }
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 2 });
    expect(await jobTotal()).toBe(3);

    // Nothing left to relay.
    expect(await relay().relayBatch(NOW)).toBe(0);
    // A relay that died after BullMQ took the batch but before its commit hands it over again
    // (later, so with other delays): the same ids, so the jobs already there stand, unchanged.
    await ctx.db.query(`UPDATE reminders SET relay = 'add' WHERE booking_id = $1`, [booking.id]);
    expect(await relay().relayBatch(NOW + HOUR)).toBe(3);
    expect(await jobTotal()).toBe(3);
    for (const r of planned) expect((await jobOf(r))!.delay).toBe(delays[r.step as keyof typeof delays]);
    expect(await outbox()).toBe(0);
  });

  it('removes the jobs of withdrawn steps, and queues word of the cancellation', async () => {
    const diary = await serviceDiary(ctx);
    const booking = await book(diary, '2027-06-11T15:00:00+01:00', NOW);
    expect(await relay().relayBatch(NOW)).toBe(3);
    const [confirmation, daysBefore, sameDay] = await rows(booking.id);
    for (const r of [confirmation, daysBefore, sameDay]) expect(await jobOf(r)).toBeDefined();

    // The confirmation went; the booking is cancelled at 12:30 BST.
    await setStatus(confirmation.id, 'sent');
    await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Found work' }, NOW + HOUR / 2);
    expect(await plan(booking.id)).toEqual([
      step(1, 'confirmation', '2027-06-07T11:00:00.000Z', 'sent', null, 'done'),
      step(1, 'days_before', '2027-06-09T09:00:00.000Z', 'cancelled', null, 'remove'),
      step(1, 'same_day', '2027-06-11T11:00:00.000Z', 'cancelled', null, 'remove'),
      step(2, 'cancellation', '2027-06-07T11:30:00.000Z', 'planned', null, 'add'),
    ]);

    expect(await relay().relayBatch(NOW + HOUR / 2)).toBe(3);
    expect((await rows(booking.id)).map((r) => r.relay)).toEqual(['done', 'done', 'done', 'done']);
    expect(await jobOf(daysBefore)).toBeUndefined();
    expect(await jobOf(sameDay)).toBeUndefined();
    expect(await jobOf(confirmation)).toBeDefined();
    const cancellation = await reminder(booking.id, 'cancellation', 2);
    const job = await jobOf(cancellation);
    expect(job).toMatchObject({ id: `${booking.id}.cancellation.2.0`, name: 'cancellation', data: { reminderId: cancellation.id }, delay: 0 });
  });

  it('a step withdrawn before the relay saw it never reaches the queue', async () => {
    const diary = await serviceDiary(ctx);
    const booking = await book(diary, '2027-06-10T10:00:00+01:00', NOW);
    const first = await rows(booking.id);
    await ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, '2027-06-10T14:00:00+01:00'), NOW);
    // Version 1 went straight from 'add' to 'done'.
    expect((await rows(booking.id)).map((r) => [r.version, r.status, r.relay])).toEqual([
      [1, 'superseded', 'done'],
      [1, 'superseded', 'done'],
      [1, 'superseded', 'done'],
      [2, 'planned', 'add'],
      [2, 'planned', 'add'],
      [2, 'planned', 'add'],
    ]);

    const before = await jobTotal();
    expect(await relay().relayBatch(NOW)).toBe(3);
    expect(await jobTotal()).toBe(before + 3);
    for (const r of first) expect(await jobOf(r)).toBeUndefined();
    for (const r of (await rows(booking.id)).filter((row) => row.version === 2)) expect(await jobOf(r)).toMatchObject({ name: r.step, data: { reminderId: r.id } });
  });
});

describe('reminders on the PostgreSQL queue backend (integration)', () => {
  // No Twilio or SMTP configured: the log transports, which report success.
  const ctx = useTestContext({ QUEUE_BACKEND: 'postgres', RUN_WORKER: 'true', RELAY_INTERVAL_MS: '100' });
  const { reminder, messages } = reminderHelpers(ctx);

  it('relays, queues and sends confirmations through BullMQ tables in the bullmq schema, with no Redis keys', async () => {
    const diary = await serviceDiary(ctx);
    // One quiet hour, six hours from the present London hour: the confirmations go now, whenever this runs.
    const hour = londonHour();
    const clock = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    await ctx.module.get(RemindersService).savePolicy(diary.siteId, { ...DEFAULT_REMINDER_POLICY, quietFrom: clock(hour + 6), quietUntil: clock(hour + 7) });
    const bySms = serviceBooking(diary, '2027-06-07T10:00:00+01:00');
    const byEmail = serviceBooking(diary, '2027-06-07T11:00:00+01:00');
    byEmail.customer.preferredChannel = 'email';
    delete byEmail.customer.mobile;
    // The app's clock throughout: the worker delivers at its own now.
    const smsBooking = (await ctx.bookings.book(ADMIN, bySms)).booking;
    const emailBooking = (await ctx.bookings.book(ADMIN, byEmail)).booking;

    for (const [booking, channel, recipient] of [
      [smsBooking, 'sms', '+447911123456'],
      [emailBooking, 'email', 'sam@example.com'],
    ] as const) {
      const jobs = async () => {
        // BullMQ creates its tables on first use, which may not have come yet.
        const [{ ready }] = await ctx.db.query(`SELECT to_regclass('bullmq.job') IS NOT NULL AS ready`);
        if (!ready) return [];
        return ctx.db.query<{ id: string; name: string; state: string; return_value: unknown }>(
          'SELECT id, name, state::text AS state, return_value FROM bullmq.job WHERE id LIKE $1 ORDER BY id',
          [`${booking.id}.%`],
        );
      };
      // The job completes just after DeliveryService has recorded the send.
      await until(`the confirmation job of ${booking.id} to complete`, async () => (await jobs()).some((j) => j.name === 'confirmation' && j.state === 'completed'));
      const sent = await reminder(booking.id, 'confirmation');
      expect(sent.status).toBe('sent');
      const sentMessages = await messages(sent.id);
      expect(sentMessages).toEqual([expect.objectContaining({ channel, recipient, status: 'sent' })]);
      expect(sentMessages[0].provider_id).toMatch(/^log-/);
      expect(await jobs()).toEqual([
        { id: `${booking.id}.confirmation.1.0`, name: 'confirmation', state: 'completed', return_value: 'sent' },
        { id: `${booking.id}.days_before.1.0`, name: 'days_before', state: 'delayed', return_value: null },
        { id: `${booking.id}.same_day.1.0`, name: 'same_day', state: 'delayed', return_value: null },
      ]);
    }

    const redis = new IORedis(ctx.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.keys(`${ctx.config.QUEUE_PREFIX}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
