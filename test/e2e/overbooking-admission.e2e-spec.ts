import { useSecondInstance, useTestApp } from '../support/app';
import { bookingBody, createDiary, customer, referral, slotRef } from '../support/fixtures';

// Extras admitted into full sessions under a risk policy, decided in the booking's own
// transaction after the booking is scored. The tests set the site's show rate by writing
// the bookings' show probabilities, which no request can do; no worker runs, so nothing
// rescores a booking behind the test's back.

describe('overbooking admission (e2e)', () => {
  const e2e = useTestApp({ RUN_WORKER: 'false', DB_POOL_SIZE: '20' });

  const policy = (siteId: string, body: Record<string, unknown>) => e2e.api.request('PUT', `/v1/sites/${siteId}/overbooking-policy`, { mode: 'risk', noOverbookWithinHours: 0, ...body });
  /** Sets what the site's customers are expected to do: the rate the rule counts them at. */
  const siteRate = (siteId: string, rate: number) => e2e.db.query('UPDATE bookings SET show_probability = $2 WHERE site_id = $1', [siteId, rate]);
  const sessionCounts = async (bookingId: string) =>
    (await e2e.db.query('SELECT s.booked, s.extras FROM sessions s JOIN bookings b ON b.session_id = s.id WHERE b.id = $1', [bookingId]))[0];

  it('admits one extra into a full session at the risk the rule works out, and records how', async () => {
    const diary = await createDiary(e2e.api);
    const start = '2027-02-01T10:00:00Z';
    const first = await e2e.api.create('/v1/bookings', bookingBody(diary, start));
    expect(first).toMatchObject({ overbooked: false, overbookPolicyVersion: null, overbookRisk: null });
    expect((await e2e.api.post('/v1/bookings', bookingBody(diary, start))).body.code).toBe('SLOT_FULL');

    expect((await policy(diary.siteId, { maxRisk: 0.5 })).status).toBe(200);
    await siteRate(diary.siteId, 0.4);
    const extra = await e2e.api.post('/v1/bookings', bookingBody(diary, start));
    expect(extra.status).toBe(201);
    // One seat, the booked customer at the site's rate and the extra at their own: a queue
    // only if both come.
    expect(extra.body).toMatchObject({ overbooked: true, overbookPolicyVersion: 1 });
    expect(extra.body.overbookRisk).toBeCloseTo(0.4 * extra.body.showProbability, 6);
    expect((await e2e.api.get(`/v1/bookings/${extra.body.id}`)).body).toMatchObject({ overbooked: true, overbookRisk: extra.body.overbookRisk });
    expect(await sessionCounts(extra.body.id)).toEqual({ booked: 1, extras: 1 });

    // The default cap is one extra per session.
    const third = await e2e.api.post('/v1/bookings', bookingBody(diary, start));
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'SLOT_FULL', details: { reason: 'CAP_SESSION' } });
  });

  it('refuses above the target, saying the risk it would have made, and writes nothing', async () => {
    const diary = await createDiary(e2e.api);
    const start = '2027-02-02T10:00:00Z';
    await e2e.api.create('/v1/bookings', bookingBody(diary, start));
    await policy(diary.siteId, { maxRisk: 0.05 });
    await siteRate(diary.siteId, 0.9);
    const before = await e2e.db.fingerprint();
    const refused = await e2e.api.post('/v1/bookings', bookingBody(diary, start, 'RISKY-1'));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'SLOT_FULL', details: { reason: 'RISK' } });
    expect(refused.body.details.risk).toBeGreaterThan(0.05);
    expect(await e2e.db.fingerprint()).toEqual(before);
  });

  it('never overbooks a client that says allowOverbook: false, nor a hold, nor a site whose policy is off or overlap', async () => {
    const diary = await createDiary(e2e.api);
    const start = '2027-02-03T10:00:00Z';
    await e2e.api.create('/v1/bookings', bookingBody(diary, start));
    await siteRate(diary.siteId, 0.1);
    for (const mode of ['off', 'overlap']) {
      await policy(diary.siteId, { mode });
      const refused = await e2e.api.post('/v1/bookings', bookingBody(diary, start));
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([409, 'SLOT_FULL', undefined]);
    }
    await policy(diary.siteId, { maxRisk: 0.5 });
    const declined = await e2e.api.post('/v1/bookings', { ...bookingBody(diary, start), allowOverbook: false });
    expect([declined.status, declined.body.code]).toEqual([409, 'SLOT_FULL']);
    const hold = await e2e.api.post('/v1/holds', slotRef(diary, start));
    expect([hold.status, hold.body.code]).toEqual([409, 'SLOT_FULL']);
    expect((await e2e.api.post('/v1/bookings', bookingBody(diary, start))).status).toBe(201);
  });

  it('keeps the window before the start, the day cap and the rule against being an extra twice running', async () => {
    const diary = await createDiary(e2e.api, { pattern: { validFrom: '2026-11-30' } });
    // The app's clock reads Monday 30 November 2026, 12:00: Tuesday 10:00 is 22 hours away.
    const tomorrow = '2026-12-01T10:00:00Z';
    await e2e.api.create('/v1/bookings', bookingBody(diary, tomorrow));
    await policy(diary.siteId, { maxRisk: 0.5, noOverbookWithinHours: 24, maxExtraPerDay: 1 });
    await siteRate(diary.siteId, 0.3);
    expect((await e2e.api.post('/v1/bookings', bookingBody(diary, tomorrow))).body).toMatchObject({ code: 'SLOT_FULL', details: { reason: 'TOO_CLOSE' } });

    const [nine, ten] = ['2027-02-04T09:00:00Z', '2027-02-04T10:00:00Z'];
    await e2e.api.create('/v1/bookings', bookingBody(diary, nine));
    await e2e.api.create('/v1/bookings', bookingBody(diary, ten));
    await siteRate(diary.siteId, 0.3);
    const sam = customer('SAM-EXTRA');
    const extra = await e2e.api.create('/v1/bookings', { ...slotRef(diary, nine), customer: sam, referral });
    expect(extra.overbooked).toBe(true);
    expect((await e2e.api.post('/v1/bookings', bookingBody(diary, ten))).body).toMatchObject({ details: { reason: 'CAP_DAY' } });

    await policy(diary.siteId, { maxRisk: 0.5, maxExtraPerDay: 5 });
    expect((await e2e.api.post('/v1/bookings', { ...slotRef(diary, ten), customer: sam, referral })).body).toMatchObject({ details: { reason: 'REPEAT_EXTRA' } });
    expect((await e2e.api.post('/v1/bookings', bookingBody(diary, ten))).status).toBe(201);
  });

  it('gives an extra place back when it is cancelled, and moves an extra into a free seat as a regular booking', async () => {
    const diary = await createDiary(e2e.api);
    const [nine, eleven] = ['2027-02-05T09:00:00Z', '2027-02-05T11:00:00Z'];
    await e2e.api.create('/v1/bookings', bookingBody(diary, nine));
    await policy(diary.siteId, { maxRisk: 0.5 });
    await siteRate(diary.siteId, 0.3);
    const extra = await e2e.api.create('/v1/bookings', bookingBody(diary, nine));
    expect(extra.overbooked).toBe(true);
    const moved = await e2e.api.post(`/v1/bookings/${extra.id}/reschedule`, slotRef(diary, eleven));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ overbooked: false, overbookPolicyVersion: null, overbookRisk: null });
    expect(await sessionCounts(extra.id)).toEqual({ booked: 1, extras: 0 });

    const again = await e2e.api.create('/v1/bookings', bookingBody(diary, nine));
    expect(again.overbooked).toBe(true);
    await e2e.api.post(`/v1/bookings/${again.id}/cancel`, { by: 'customer', reason: 'Found work' });
    const [{ booked, extras }] = await e2e.db.query('SELECT booked, extras FROM sessions WHERE site_id = $1 AND starts_at = $2', [diary.siteId, nine]);
    expect([booked, extras]).toEqual([1, 0]);
  });

  it('admits an extra by a reschedule into a full session, under the same rule', async () => {
    const diary = await createDiary(e2e.api);
    const [nine, ten] = ['2027-02-08T09:00:00Z', '2027-02-08T10:00:00Z'];
    await e2e.api.create('/v1/bookings', bookingBody(diary, nine));
    const mover = await e2e.api.create('/v1/bookings', bookingBody(diary, ten));
    await policy(diary.siteId, { maxRisk: 0.5 });
    await siteRate(diary.siteId, 0.3);
    const moved = await e2e.api.post(`/v1/bookings/${mover.id}/reschedule`, slotRef(diary, nine));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ overbooked: true, overbookPolicyVersion: 1 });
    expect(moved.body.overbookRisk).toBeCloseTo(0.3 * moved.body.showProbability, 6);
  });

  describe('across two API instances', () => {
    const second = useSecondInstance(e2e);

  it.each([1, 2, 3])('20 simultaneous requests for one full slot admit no more than %i extras when the policy allows that many', async (extras) => {
    const diary = await createDiary(e2e.api);
    const start = '2027-02-09T10:00:00Z';
    await e2e.api.create('/v1/bookings', bookingBody(diary, start));
    await policy(diary.siteId, { maxRisk: 0.5, maxExtraPerSession: extras, maxExtraPerDay: 50 });
    // Nobody expected to come makes every extra safe: only the caps can stop them.
    await siteRate(diary.siteId, 0);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? second.api : e2e.api).post('/v1/bookings', { ...bookingBody(diary, start), customer: { ...customer(`RACE-${extras}-${i}`), consentToContact: false } })),
    );
    const won = results.filter((r) => r.status === 201);
    // Each extra admitted comes with a score of its own, which raises the rate the next is
    // judged at: the risk may stop the race before the cap, never the cap after it.
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.length).toBeLessThanOrEqual(extras);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'SLOT_FULL')).toBe(true);
    const [{ booked, extras: counted, n }] = await e2e.db.query(
      `SELECT s.booked, s.extras, (SELECT count(*)::int FROM bookings b WHERE b.session_id = s.id) AS n FROM sessions s WHERE s.site_id = $1 AND s.starts_at = $2`,
      [diary.siteId, start],
    );
    expect([booked, counted, n]).toEqual([1, won.length, 1 + won.length]);
    expect(won.every((r) => r.body.overbooked)).toBe(true);
  });
  });

  describe('slot search with the customer named', () => {
    const search = (diary: { typeCode: string; siteId: string }, date: string, customerReference?: string) =>
      e2e.api.get(`/v1/slots?appointmentType=${diary.typeCode}&siteId=${diary.siteId}&from=${date}&to=${date}${customerReference ? `&customerReference=${customerReference}` : ''}`);

    it('offers the full slots this customer would be admitted into, after the free ones, at the risk the booking then gets', async () => {
      const diary = await createDiary(e2e.api, { pattern: { startTime: '09:00', endTime: '12:00' } });
      const date = '2027-02-10';
      await e2e.api.create('/v1/bookings', bookingBody(diary, `${date}T10:00:00Z`));
      expect((await search(diary, date, 'NEW-1')).body.slots.map((s: { overbook: boolean }) => s.overbook)).toEqual([false, false]);

      await policy(diary.siteId, { maxRisk: 0.5 });
      await siteRate(diary.siteId, 0.3);
      const plain = (await search(diary, date)).body.slots;
      expect(plain.map((s: { start: string; overbook: boolean }) => [s.start, s.overbook])).toEqual([
        ['2027-02-10T09:00:00+00:00', false],
        ['2027-02-10T11:00:00+00:00', false],
      ]);
      const named = (await search(diary, date, 'NEW-1')).body.slots;
      expect(named.map((s: { start: string; overbook: boolean; remaining: number }) => [s.start, s.overbook, s.remaining])).toEqual([
        ['2027-02-10T09:00:00+00:00', false, 1],
        ['2027-02-10T11:00:00+00:00', false, 1],
        ['2027-02-10T10:00:00+00:00', true, 0],
      ]);
      const offered = named[2];
      expect(offered.overbookRisk).toBeGreaterThan(0);
      const booked = await e2e.api.create('/v1/bookings', { ...slotRef(diary, offered.start), customer: customer('NEW-1'), referral });
      expect(booked.overbooked).toBe(true);
      expect(booked.overbookRisk).toBeCloseTo(offered.overbookRisk, 6);
    });

    it('offers none to a customer whose last booking was an extra, nor above the target', async () => {
      const diary = await createDiary(e2e.api, { pattern: { startTime: '09:00', endTime: '11:00' } });
      const date = '2027-02-11';
      await e2e.api.create('/v1/bookings', bookingBody(diary, `${date}T09:00:00Z`));
      await e2e.api.create('/v1/bookings', bookingBody(diary, `${date}T10:00:00Z`));
      await policy(diary.siteId, { maxRisk: 0.5, maxExtraPerDay: 5 });
      await siteRate(diary.siteId, 0.3);
      await e2e.api.create('/v1/bookings', { ...slotRef(diary, `${date}T09:00:00Z`), customer: customer('TWICE'), referral });
      expect((await search(diary, date, 'TWICE')).body.slots).toEqual([]);
      expect((await search(diary, date, 'SOMEONE-ELSE')).body.slots.map((s: { start: string }) => s.start)).toEqual(['2027-02-11T10:00:00+00:00']);
      await siteRate(diary.siteId, 0.95);
      await policy(diary.siteId, { maxRisk: 0.05 });
      expect((await search(diary, date, 'SOMEONE-ELSE')).body.slots).toEqual([]);
    });
  });
});
