import { BookingView } from '../../src/bookings/dto/bookings.dto';
import { ADMIN, partnerPrincipal, serviceBooking, serviceDiary, useTestContext } from '../support/context';
import { BuiltDiary, slotRef } from '../support/fixtures';

// BookingsService against real PostgreSQL with "now" fixed: TOO_SOON, the past, hold
// expiry times, and what each operation leaves in the sessions table.

const t = (iso: string) => Date.parse(iso);
const at = (time: string, date = '2027-06-07') => `${date}T${time}:00+01:00`;

describe('BookingsService (integration)', () => {
  const ctx = useTestContext({ HOLD_MINUTES: '7' });

  const book = async (diary: BuiltDiary, start: string, now: number, reference?: string): Promise<BookingView> =>
    (await ctx.bookings.book(ADMIN, serviceBooking(diary, start, reference), undefined, now)).booking;
  const sessionsOf = async (adviserId: string) =>
    (await ctx.dataSource.query('SELECT starts_at, ends_at, upper(busy) AS busy_until, capacity FROM sessions WHERE adviser_id = $1 ORDER BY starts_at', [adviserId])) as {
      starts_at: Date;
      ends_at: Date;
      busy_until: Date;
      capacity: number;
    }[];

  describe('minimum notice and the past', () => {
    it('refuses a slot that has started or is inside the notice, to the minute', async () => {
      const diary = await serviceDiary(ctx, { site: { minNoticeMinutes: 120 } });
      const now = t(at('09:00'));
      for (const start of [at('09:00'), at('10:00'), at('10:55'), at('16:00', '2027-06-04')]) {
        await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, start), undefined, now)).rejects.toMatchObject({ status: 409, code: 'TOO_SOON' });
        await expect(ctx.bookings.createHold(ADMIN, slotRef(diary, start), now)).rejects.toMatchObject({ status: 409, code: 'TOO_SOON' });
      }
      // Exactly at the notice is allowed.
      expect((await book(diary, at('11:00'), now)).start).toBe(at('11:00'));
      expect(await sessionsOf(diary.adviserId)).toHaveLength(1);
    });

    it('with no notice, the slot starting this very instant can still be booked', async () => {
      const diary = await serviceDiary(ctx);
      expect((await book(diary, at('10:00'), t(at('10:00')))).start).toBe(at('10:00'));
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('11:00')), undefined, t(at('11:00')) + 1)).rejects.toMatchObject({ code: 'TOO_SOON' });
    });

    it('a reschedule into the notice period is refused and the booking stands', async () => {
      const diary = await serviceDiary(ctx, { site: { minNoticeMinutes: 60 } });
      const booking = await book(diary, at('15:00'), t(at('08:00')));
      const before = await ctx.bookings.get(ADMIN, booking.id);
      await expect(ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, at('10:30')), t(at('09:45')))).rejects.toMatchObject({ status: 409, code: 'TOO_SOON' });
      expect(await ctx.bookings.get(ADMIN, booking.id)).toEqual(before);
      expect((await sessionsOf(diary.adviserId)).map((s) => s.starts_at.toISOString())).toEqual(['2027-06-07T14:00:00.000Z']);
      const moved = await ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, at('11:00')), t(at('09:45')));
      expect(moved).toMatchObject({ start: at('11:00'), rescheduleCount: 1 });
    });

    it('refuses starts off the five-minute grid and outside the diary', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-01T00:00:00Z');
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('09:03')), undefined, now)).rejects.toMatchObject({ status: 400, code: 'INVALID_START' });
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('16:30')), undefined, now)).rejects.toMatchObject({ status: 409, code: 'SLOT_NOT_IN_DIARY' });
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('09:00', '2026-12-28')), undefined, t('2026-12-01T00:00:00Z'))).rejects.toMatchObject({ code: 'SLOT_NOT_IN_DIARY' }); // before validFrom
    });
  });

  it('a booking that has started can be neither cancelled nor moved', async () => {
    const diary = await serviceDiary(ctx);
    const booking = await book(diary, at('14:00'), t(at('09:00')));
    const during = t(at('14:10'));
    await expect(ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Late' }, during)).rejects.toMatchObject({ status: 409, code: 'BOOKING_STARTED' });
    await expect(ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, at('16:00')), during)).rejects.toMatchObject({ status: 409, code: 'BOOKING_STARTED' });
    expect((await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Ill' }, t(at('13:59')))).status).toBe('cancelled');
  });

  describe('holds', () => {
    it('expire HOLD_MINUTES after now, and a released hold leaves no session behind', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-10T12:00:00Z');
      const hold = await ctx.bookings.createHold(ADMIN, slotRef(diary, at('09:00')), now);
      expect(hold.expiresAt).toBe('2027-01-10T12:07:00.000Z');
      expect(hold).toMatchObject({ start: at('09:00'), end: at('10:00'), adviserId: diary.adviserId });
      // Made at the app's "now", not the database's: the notice a live hold keeps runs from here.
      expect(await ctx.db.query('SELECT created_at FROM holds WHERE id = $1', [hold.id])).toEqual([{ created_at: new Date(now) }]);
      expect(await sessionsOf(diary.adviserId)).toHaveLength(1);
      await ctx.bookings.releaseHold(ADMIN, hold.id);
      expect(await sessionsOf(diary.adviserId)).toEqual([]);
    });

    it("a lapsed hold's empty session in the way of another start is cleared for the booking", async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-10T12:00:00Z');
      await ctx.bookings.createHold(ADMIN, slotRef(diary, at('09:00')), now);
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('09:30')), undefined, now)).rejects.toMatchObject({ status: 409, code: 'SLOT_TAKEN' });
      const booking = await book(diary, at('09:30'), now + 8 * 60_000);
      expect((await sessionsOf(diary.adviserId)).map((s) => s.starts_at.toISOString())).toEqual(['2027-06-07T08:30:00.000Z']);
      expect(booking.start).toBe(at('09:30'));
    });
  });

  describe('the answer', () => {
    it('is the booking as stored, score and the contact kept on file included', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-01T00:00:00Z');
      const first = await book(diary, at('09:00'), now, 'ANSWER-1');
      expect(first).toEqual(await ctx.bookings.get(ADMIN, first.id));
      expect(first.showProbability).toEqual(expect.any(Number));
      // A later booking without the email address keeps the one on file, and says so.
      const body = serviceBooking(diary, at('11:00'), 'ANSWER-1');
      delete body.customer.email;
      const { booking: second } = await ctx.bookings.book(ADMIN, body, 'answer-key', now);
      expect(second.customer.email).toBe('sam@example.com');
      expect(second).toEqual(await ctx.bookings.get(ADMIN, second.id));
    });
  });

  describe('sessions', () => {
    it('cancelling the last booking of a session removes it; rescheduling leaves exactly one', async () => {
      const diary = await serviceDiary(ctx, { type: { bufferMinutes: 10 } });
      const now = t('2027-01-01T00:00:00Z');
      const booking = await book(diary, at('09:00'), now);
      expect(await sessionsOf(diary.adviserId)).toEqual([
        { starts_at: new Date('2027-06-07T08:00:00Z'), ends_at: new Date('2027-06-07T09:00:00Z'), busy_until: new Date('2027-06-07T09:10:00Z'), capacity: 1 },
      ]);
      await ctx.bookings.reschedule(ADMIN, booking.id, slotRef(diary, at('09:30')), now);
      expect((await sessionsOf(diary.adviserId)).map((s) => s.starts_at.toISOString())).toEqual(['2027-06-07T08:30:00.000Z']);
      const cancelled = await ctx.bookings.cancel(ADMIN, booking.id, { by: 'service', reason: 'Adviser left' });
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelledBy: 'service', start: at('09:30') });
      expect(await sessionsOf(diary.adviserId)).toEqual([]);
      await expect(ctx.bookings.cancel(ADMIN, booking.id, { by: 'service', reason: 'Again' })).rejects.toMatchObject({ status: 409, code: 'BOOKING_CANCELLED' });
    });

    it('a group session admits up to its capacity and takes a seat back when one is cancelled', async () => {
      const diary = await serviceDiary(ctx, { type: { capacity: 3, durationMinutes: 90 } });
      const now = t('2027-01-01T00:00:00Z');
      const seats = [];
      for (let i = 0; i < 3; i++) seats.push(await book(diary, at('10:00'), now));
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('10:00')), undefined, now)).rejects.toMatchObject({ status: 409, code: 'SLOT_FULL' });
      const sessions = await sessionsOf(diary.adviserId);
      expect(sessions).toHaveLength(1);
      expect(sessions[0].capacity).toBe(3);
      await ctx.bookings.cancel(ADMIN, seats[1].id, { by: 'customer', reason: 'Ill' });
      expect((await book(diary, at('10:00'), now)).start).toBe(at('10:00'));
      const search = await ctx.slots.search({ appointmentType: diary.typeCode, siteId: [diary.siteId], from: '2027-06-07', to: '2027-06-07' }, now);
      // The full 10:00-11:30 session is not offered; 09:00-10:30 would overlap it, so packing jumps to 11:30.
      expect(search.map((s) => s.start.slice(11, 16))).toEqual(['11:30', '13:00', '14:30']);
    });
  });

  describe('idempotency, customers and scoping', () => {
    it('replays a repeated Idempotency-Key and refuses it with another body', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-01T00:00:00Z');
      const body = serviceBooking(diary, at('13:00'), 'IDEM-1');
      const first = await ctx.bookings.book(ADMIN, body, 'key-123', now);
      const again = await ctx.bookings.book(ADMIN, body, 'key-123', now);
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect(again.booking).toEqual(first.booking);
      await expect(ctx.bookings.book(ADMIN, serviceBooking(diary, at('14:00'), 'IDEM-1'), 'key-123', now)).rejects.toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await sessionsOf(diary.adviserId)).toHaveLength(1);
    });

    it('normalises the mobile number and refuses missing contact details', async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-01T00:00:00Z');
      const booking = await book(diary, at('09:00'), now, 'E164');
      expect(booking.customer.mobile).toBe('+447911123456');
      const [row] = await ctx.dataSource.query('SELECT mobile, email FROM customers WHERE reference = $1', ['E164']);
      expect(row).toEqual({ mobile: '+447911123456', email: 'sam@example.com' });
      const noMobile = serviceBooking(diary, at('10:00'));
      delete noMobile.customer.mobile;
      await expect(ctx.bookings.book(ADMIN, noMobile, undefined, now)).rejects.toMatchObject({ status: 400, code: 'CONTACT_MISSING' });
      const landline = serviceBooking(diary, at('10:00'));
      landline.customer.mobile = '01793 123456';
      await expect(ctx.bookings.book(ADMIN, landline, undefined, now)).rejects.toMatchObject({ status: 400, code: 'INVALID_MOBILE' });
    });

    it("hides one organisation's bookings from another", async () => {
      const diary = await serviceDiary(ctx);
      const now = t('2027-01-01T00:00:00Z');
      const a = await ctx.partners.createOrganisation({ name: 'Partner A', kind: 'partner' });
      const b = await ctx.partners.createOrganisation({ name: 'Partner B', kind: 'partner' });
      const { booking } = await ctx.bookings.book(partnerPrincipal(a.id), serviceBooking(diary, at('09:00'), 'SCOPED'), undefined, now);
      expect(booking.organisationId).toBe(a.id);
      await expect(ctx.bookings.get(partnerPrincipal(b.id), booking.id)).rejects.toMatchObject({ status: 404, code: 'BOOKING_NOT_FOUND' });
      await expect(ctx.bookings.cancel(partnerPrincipal(b.id), booking.id, { by: 'service', reason: 'x' })).rejects.toMatchObject({ status: 404 });
      expect(await ctx.bookings.list(partnerPrincipal(b.id), { customerReference: 'SCOPED' })).toEqual([]);
      expect((await ctx.bookings.list(partnerPrincipal(a.id), { customerReference: 'SCOPED' })).map((x) => x.id)).toEqual([booking.id]);
      expect((await ctx.bookings.get(ADMIN, booking.id)).id).toBe(booking.id);
    });
  });
});
