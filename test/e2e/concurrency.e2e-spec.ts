import { useTestApp } from '../support/app';
import { bookingBody, createDiary, createSite, Diary, fromHold, partnerKey, slotRef, typeBody } from '../support/fixtures';

// Fired together over real HTTP at a real PostgreSQL: the database, not luck, must decide.
const N = 30;

describe('concurrent booking', () => {
  const e2e = useTestApp({ DB_POOL_SIZE: '20' });

  it.each([1, 3, 8])('N simultaneous requests for a slot of capacity %i: exactly that many win', async (capacity) => {
    const diary = await createDiary(e2e.api, { type: { capacity } });
    const start = '2027-06-07T09:00:00+01:00';
    const results = await Promise.all(Array.from({ length: N }, (_, i) => e2e.api.post('/v1/bookings', bookingBody(diary, start, `RACE-${capacity}-${i}`))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(capacity);
    expect(statuses.filter((s) => s === 409)).toHaveLength(N - capacity);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'SLOT_FULL')).toBe(true);
    const sheet = await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-07`);
    expect(sheet.body.bookings).toHaveLength(capacity);
  });

  it('simultaneous holds on the last seat: one wins, and its booking cannot be taken by the others', async () => {
    const diary = await createDiary(e2e.api);
    const slot = slotRef(diary, '2027-06-08T10:00:00+01:00');
    const holds = await Promise.all(Array.from({ length: N }, () => e2e.api.post('/v1/holds', slot)));
    const won = holds.filter((h) => h.status === 201);
    expect(won).toHaveLength(1);
    expect(holds.filter((h) => h.status === 409).every((h) => h.body.code === 'SLOT_FULL')).toBe(true);
    // While held, the slot is full for everybody else.
    const direct = await e2e.api.post('/v1/bookings', bookingBody(diary, slot.start));
    expect(direct.status).toBe(409);
    const booked = await e2e.api.post('/v1/bookings', fromHold(won[0].body.id));
    expect(booked.status).toBe(201);
  });

  it('simultaneous reschedules into one free slot: one moves, the others stay where they were', async () => {
    const diary = await createDiary(e2e.api);
    const origins = ['09:00', '10:00', '11:00', '12:00', '13:00'].map((t) => `2027-06-09T${t}:00+01:00`);
    const bookings = await Promise.all(origins.map((start, i) => e2e.api.create('/v1/bookings', bookingBody(diary, start, `MOVE-${i}`))));
    const target = slotRef(diary, '2027-06-09T15:00:00+01:00');
    const moves = await Promise.all(bookings.map((b) => e2e.api.post(`/v1/bookings/${b.id}/reschedule`, target)));
    expect(moves.filter((m) => m.status === 200)).toHaveLength(1);
    expect(moves.filter((m) => m.status === 409).every((m) => m.body.code === 'SLOT_TAKEN' || m.body.code === 'SLOT_FULL')).toBe(true);
    const after = await Promise.all(bookings.map((b) => e2e.api.get(`/v1/bookings/${b.id}`)));
    const moved = after.filter((a) => a.body.start === '2027-06-09T15:00:00+01:00');
    expect(moved).toHaveLength(1);
    for (const [i, a] of after.entries()) if (a.body.id !== moved[0].body.id) expect(a.body.start).toBe(origins[i]);
  });

  it('a booking made by one partner is invisible to another', async () => {
    const diary: Diary = await createDiary(e2e.api);
    const a = await partnerKey(e2e.api);
    const b = await partnerKey(e2e.api);
    const booking = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, '2027-06-10T09:00:00+01:00'));
    expect((await e2e.api.as(a.key).get(`/v1/bookings/${booking.id}`)).status).toBe(200);
    expect((await e2e.api.as(b.key).get(`/v1/bookings/${booking.id}`)).status).toBe(404);
  });
});

describe('concurrent creates of one name', () => {
  const e2e = useTestApp({ DB_POOL_SIZE: '20' });

  // The services look for the name before inserting, so requests that arrive together all
  // find it free: the unique key decides, and the losers get the answer the look-up gives.
  it.each([
    ['a room at one site', async () => `/v1/sites/${(await createSite(e2e.api)).id}/rooms`, { name: 'Group room', capacity: 8 }, 'ROOM_EXISTS'],
    ['an appointment type', async () => '/v1/appointment-types', typeBody({ prefix: 'RACE' }), 'APPOINTMENT_TYPE_EXISTS'],
  ])('%s: one is made, the others are told it exists', async (_, path, body, code) => {
    const url = await path();
    const results = await Promise.all(Array.from({ length: N }, () => e2e.api.post(url, body)));
    const answers = results.map((r) => (r.status === 201 ? '201' : `${r.status} ${r.body.code}`));
    const tally = Object.fromEntries([...new Set(answers)].map((a) => [a, answers.filter((b) => b === a).length]));
    expect(tally).toEqual({ 201: 1, [`409 ${code}`]: N - 1 });
  });
});
