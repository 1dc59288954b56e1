import { DateTime } from 'luxon';
import { ALL_DAYS, bookingBody, createDiary, customer, referral, slotRef } from '../support/fixtures';
import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';

const at = (time: string, date = '2027-06-07') => `${date}T${time}:00+01:00`;

describe('ids and customers (e2e)', () => {
  const e2e = useTestApp();

  it('an upper-case UUID names the same thing as its lower-case form, minimum notice included', async () => {
    // Two weeks' notice (the most a site may ask), and a slot three days from now.
    const today = DateTime.fromMillis(testClock.now(), { zone: 'Europe/London' });
    const diary = await createDiary(e2e.api, { site: { minNoticeMinutes: 14 * 24 * 60 }, pattern: { weekdays: ALL_DAYS, validFrom: today.toISODate()! } });
    const start = today.plus({ days: 3 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toISO()!;
    expect((await e2e.api.post('/v1/bookings', { ...slotRef(diary, start), customer: customer(), referral })).body.code).toBe('TOO_SOON');
    const upper = { ...slotRef(diary, start), siteId: diary.siteId.toUpperCase(), adviserId: diary.adviserId.toUpperCase() };
    const response = await e2e.api.post('/v1/bookings', { ...upper, customer: customer(), referral });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('TOO_SOON');
    expect((await e2e.api.get(`/v1/sites/${diary.siteId.toUpperCase()}`)).body.id).toBe(diary.siteId);
  });

  it('upper-case ids book and read back in lower case', async () => {
    const diary = await createDiary(e2e.api);
    const upper = { ...bookingBody(diary, at('11:00')), siteId: diary.siteId.toUpperCase(), adviserId: diary.adviserId.toUpperCase() };
    const booking = await e2e.api.create('/v1/bookings', upper);
    expect(booking.siteId).toBe(diary.siteId);
    expect((await e2e.api.get(`/v1/bookings/${booking.id.toUpperCase()}`)).body.id).toBe(booking.id);
  });

  it("a later booking that leaves out the customer's mobile keeps the one on file", async () => {
    const diary = await createDiary(e2e.api);
    const first = await e2e.api.create('/v1/bookings', bookingBody(diary, at('09:00'), 'KEEP-1'));
    const withoutMobile = { ...bookingBody(diary, at('13:00')), customer: { reference: 'KEEP-1', name: 'Sam Taylor', email: 'sam.new@example.com', preferredChannel: 'email', consentToContact: true } };
    await e2e.api.create('/v1/bookings', withoutMobile);
    const again = (await e2e.api.get(`/v1/bookings/${first.id}`)).body;
    expect(again.customer).toMatchObject({ mobile: '+447911123456', email: 'sam.new@example.com', preferredChannel: 'email' });
  });
});
