import { Client } from 'pg';
import { connect } from '../support/database';
import { ADMIN, serviceBooking, serviceDiary, useTestContext } from '../support/context';

// The lock order that keeps closures, absences and bookings from overtaking each other,
// shown with a second real connection holding the locks a booking would hold.

const at = (time: string, date = '2027-06-07') => `${date}T${time}:00+01:00`;
const settledWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('locking (integration)', () => {
  const ctx = useTestContext();
  let other: Client;

  beforeEach(async () => {
    other = await connect(ctx.config.DATABASE_URL);
  });
  afterEach(async () => {
    await other.query('ROLLBACK').catch(() => undefined);
    await other.end();
  });

  it('a closure waits for a booking under way at the site, then flags it', async () => {
    const diary = await serviceDiary(ctx);
    // A booking in flight holds the site FOR SHARE (and its adviser) until it commits.
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM sites WHERE id = $1 FOR SHARE', [diary.siteId]);
    const closure = ctx.sites.createClosure(diary.siteId, { date: '2027-06-07', reason: 'Flood' });
    expect(await settledWithin(closure, 300)).toBe(false);
    // The booking lands while the closure waits...
    const booking = (await ctx.bookings.book(ADMIN, serviceBooking(diary, at('10:00')), undefined, Date.parse('2027-06-01T00:00:00Z'))).booking;
    await other.query('COMMIT');
    // ...and the closure, once through, sees and flags it.
    const result = await closure;
    expect(result.affectedBookings.map((b) => b.id)).toEqual([booking.id]);
    expect((await ctx.bookings.get(ADMIN, booking.id)).needsRebooking).toBe(true);
  });

  it('a booking waits for a closure being recorded, then is refused for the closed day', async () => {
    const diary = await serviceDiary(ctx);
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM sites WHERE id = $1 FOR NO KEY UPDATE', [diary.siteId]);
    await other.query(`INSERT INTO site_closures (id, site_id, date, reason) VALUES (gen_random_uuid(), $1, '2027-06-08', 'Strike')`, [diary.siteId]);
    const booking = ctx.bookings.book(ADMIN, serviceBooking(diary, at('10:00', '2027-06-08')), undefined, Date.parse('2027-06-01T00:00:00Z'));
    expect(await settledWithin(booking, 300)).toBe(false);
    await other.query('COMMIT');
    await expect(booking).rejects.toMatchObject({ status: 409, code: 'SLOT_NOT_IN_DIARY' });
  });

  it('the database refuses more bookings in a session than its capacity, whatever the code does', async () => {
    const diary = await serviceDiary(ctx);
    const { booking } = await ctx.bookings.book(ADMIN, serviceBooking(diary, at('11:00')), undefined, Date.parse('2027-06-01T00:00:00Z'));
    const [{ session_id: sessionId }] = await ctx.dataSource.query('SELECT session_id FROM bookings WHERE id = $1', [booking.id]);
    await expect(
      ctx.dataSource.query(
        `INSERT INTO bookings (id, session_id, customer_id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, status, referral_source, arranged_at)
         SELECT gen_random_uuid(), session_id, customer_id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, 'booked', 'jcp', arranged_at FROM bookings WHERE id = $1`,
        [booking.id],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'sessions_booked_within_capacity' });
    const [{ booked }] = await ctx.dataSource.query('SELECT booked FROM sessions WHERE id = $1', [sessionId]);
    expect(booked).toBe(1);
  });
});
