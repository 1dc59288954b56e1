import { useTestApp } from '../support/app';
import { bookingBody, createDiary, Diary, searchSlots, slotRef, times } from '../support/fixtures';

// Overlap mode (issue 8): where a site's policy says so, the next appointment may start
// overlapMinutes before the previous one ends. Search offers those starts and booking
// takes them as ordinary seats; a session keeps the overlap it was booked under.

const DAY = '2027-02-15'; // a Monday in winter: the site's clock reads UTC
const at = (time: string, date = DAY) => `${date}T${time}:00Z`;
/** As the API writes it back, with the site's offset. */
const local = (time: string) => `${DAY}T${time}:00+00:00`;
const HOURLY = ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'];
const EVERY_45 = ['09:00', '09:45', '10:30', '11:15', '12:00', '12:45', '13:30', '14:15', '15:00', '15:45'];

describe('overbooking: overlap mode (e2e)', () => {
  const e2e = useTestApp({ RUN_WORKER: 'false' });

  const policy = async (siteId: string, body: Record<string, unknown>) => {
    const response = await e2e.api.request('PUT', `/v1/sites/${siteId}/overbooking-policy`, body);
    expect(response.status).toBe(200);
  };
  const daySlots = async (diary: Diary, date = DAY) => times(await searchSlots(e2e.api, { appointmentType: diary.typeCode, siteId: [diary.siteId], from: date, to: date }));
  const book = (diary: Diary, time: string, date = DAY) => e2e.api.post('/v1/bookings', bookingBody(diary, at(time, date)));

  it('offers a 60-minute type every 45 minutes with 15 of overlap, and books 09:00 then 09:45 as ordinary seats, but not 09:40', async () => {
    const diary = await createDiary(e2e.api);
    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 15 });
    expect(await daySlots(diary)).toEqual(EVERY_45);

    const refused = async (time: string) => {
      const response = await book(diary, time);
      expect([time, response.status, response.body.code]).toEqual([time, 409, 'SLOT_TAKEN']);
    };
    const nine = await book(diary, '09:00');
    expect(nine.status).toBe(201);
    await refused('09:40');
    const quarterToTen = await book(diary, '09:45');
    expect(quarterToTen.status).toBe(201);
    await refused('10:25');
    for (const booking of [nine.body, quarterToTen.body]) expect(booking).toMatchObject({ overbooked: false, overbookPolicyVersion: null, overbookRisk: null });
    expect(quarterToTen.body).toMatchObject({ start: local('09:45'), end: local('10:45') });
    expect(await daySlots(diary)).toEqual(EVERY_45.slice(2));
    // A hold is a seat like a booking: it takes the next overlapped start too.
    expect((await e2e.api.post('/v1/holds', slotRef(diary, at('10:30')))).status).toBe(201);
    expect(await daySlots(diary)).toEqual(EVERY_45.slice(3));
    // Each session holds its adviser until 15 minutes before it ends; both are regular seats.
    const sessions = await e2e.db.query(
      `SELECT to_char(upper(busy) AT TIME ZONE 'UTC', 'HH24:MI') AS busy_until, booked, extras FROM sessions WHERE adviser_id = $1 ORDER BY starts_at`,
      [diary.adviserId],
    );
    expect(sessions).toEqual([
      { busy_until: '09:45', booked: 1, extras: 0 },
      { busy_until: '10:30', booked: 1, extras: 0 },
      { busy_until: '11:15', booked: 0, extras: 0 },
    ]);
  });

  it('with the policy off, refuses 09:45 once 09:00 is booked', async () => {
    const diary = await createDiary(e2e.api);
    expect(await daySlots(diary)).toEqual(HOURLY);
    expect((await book(diary, '09:00')).status).toBe(201);
    const refused = await book(diary, '09:45');
    expect([refused.status, refused.body.code]).toEqual([409, 'SLOT_TAKEN']);
    expect((await book(diary, '10:00')).status).toBe(201);

    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 15 });
    // The sessions booked before keep their adviser to their end.
    expect((await book(diary, '10:45')).status).toBe(409);
    expect(await daySlots(diary)).toEqual(['11:00', '11:45', '12:30', '13:15', '14:00', '14:45', '15:30']);
  });

  it("follows the appointment type's own policy before the site's", async () => {
    const diary = await createDiary(e2e.api);
    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 15 });
    await policy(diary.siteId, { mode: 'off', appointmentType: diary.typeCode });
    expect(await daySlots(diary)).toEqual(HOURLY);
    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 30, appointmentType: diary.typeCode });
    expect((await daySlots(diary)).slice(0, 4)).toEqual(['09:00', '09:30', '10:00', '10:30']);
  });

  it('switching the policy back to off leaves the overlapped bookings as they are, and gives new ones no overlap', async () => {
    const diary = await createDiary(e2e.api);
    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 15 });
    const booked: { id: string }[] = [];
    for (const time of ['09:00', '09:45']) booked.push(await e2e.api.create('/v1/bookings', bookingBody(diary, at(time))));

    await policy(diary.siteId, { mode: 'off' });
    for (const [i, time] of ['09:00', '09:45'].entries()) {
      expect((await e2e.api.get(`/v1/bookings/${booked[i].id}`)).body).toMatchObject({ status: 'booked', start: local(time), needsRebooking: false, overbooked: false });
    }
    expect((await book(diary, '13:00')).status).toBe(201);
    const refused = await book(diary, '13:45');
    expect([refused.status, refused.body.code]).toEqual([409, 'SLOT_TAKEN']);
    // 09:45 was booked under the overlap and keeps it, so the next may still start at
    // 10:30; from there sessions are an hour apart again.
    expect(await daySlots(diary)).toEqual(['10:30', '11:30', '14:00', '15:00', '16:00']);
  });

  it('lets one of several racing requests have the overlapped time, never two', async () => {
    const diary = await createDiary(e2e.api);
    const date = '2027-02-16';
    await policy(diary.siteId, { mode: 'overlap', overlapMinutes: 15 });
    expect((await book(diary, '09:00', date)).status).toBe(201);
    const raced = await Promise.all(['09:45', '09:50', '09:45', '09:55'].map((time) => book(diary, time, date)));
    expect(raced.filter((r) => r.status === 201)).toHaveLength(1);
    for (const lost of raced.filter((r) => r.status !== 201)) expect([lost.status, ['SLOT_FULL', 'SLOT_TAKEN'].includes(lost.body.code)]).toEqual([409, true]);
    expect(await e2e.db.query('SELECT count(*)::int AS n FROM bookings WHERE adviser_id = $1', [diary.adviserId])).toEqual([{ n: 2 }]);
  });
});
