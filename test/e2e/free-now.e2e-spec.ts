import { Api } from '../support/api';
import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';
import { ALL_DAYS, bookingBody, createDiary, Diary, partnerKey, searchSlots, TypeOptions, utc } from '../support/fixtures';

// GET /v1/sites/:id/free-now answers for the app's clock, which the tests set (support/clock.ts)
// to a weekday at noon: the diaries here are open all day, every day, from yesterday.

const FIVE_MINUTES = 5 * 60_000;
const ZONE = 'Europe/London';

const ukDate = (instant: number) => new Date(instant).toLocaleDateString('en-CA', { timeZone: ZONE });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, if need be, so that the next five-minute mark is at least a few seconds away:
 * the free-now answer and the booking that follows must see the same "next mark".
 */
async function clearOfFiveMinuteMark(): Promise<void> {
  const into = testClock.now() % FIVE_MINUTES;
  if (into < 50) await sleep(100);
  else if (FIVE_MINUTES - into < 5000) await sleep(FIVE_MINUTES - into + 300);
}

const nextMark = (instant: number) => Math.ceil(instant / FIVE_MINUTES) * FIVE_MINUTES;

describe('free now (e2e)', () => {
  const e2e = useTestApp();

  /** A site with advisers available all day, every day, since yesterday, for a one-to-one type: one Diary per adviser. */
  async function openAllHours(advisers = 1, site: Record<string, unknown> = {}, type: TypeOptions = { durationMinutes: 30 }): Promise<Diary[]> {
    const diary = await createDiary(e2e.api, {
      advisers,
      type,
      site: { bankHolidays: 'NONE', minNoticeMinutes: 0, ...site },
      pattern: { weekdays: ALL_DAYS, startTime: '00:00', endTime: '23:55', validFrom: ukDate(testClock.now() - 86_400_000) },
    });
    return diary.adviserIds.map((adviserId) => ({ organisationId: diary.organisationId, siteId: diary.siteId, adviserId, typeCode: diary.typeCode }));
  }

  const freeNow = async (diary: Diary, as: Api = e2e.api) => {
    const response = await as.get(`/v1/sites/${diary.siteId}/free-now?appointmentType=${diary.typeCode}`);
    expect(response.status).toBe(200);
    return response.body.slots as { siteId: string; adviserId: string; roomId: string | null; start: string; end: string; capacity: number; remaining: number }[];
  };

  it('offers the adviser from the next five-minute mark, and booking that slot makes free-now empty', async () => {
    const [diary] = await openAllHours();
    await clearOfFiveMinuteMark();
    const expected = nextMark(testClock.now());
    const slots = await freeNow(diary);
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ siteId: diary.siteId, adviserId: diary.adviserId, roomId: null, capacity: 1, remaining: 1 });
    expect(utc(slots[0].start)).toBe(new Date(expected).toISOString());
    expect(utc(slots[0].end)).toBe(new Date(expected + 30 * 60_000).toISOString());

    const booking = await e2e.api.post('/v1/bookings', bookingBody(diary, slots[0].start, 'WALK-OVER'));
    expect(booking.status).toBe(201);
    expect(booking.body).toMatchObject({ status: 'booked', adviserId: diary.adviserId, start: slots[0].start, end: slots[0].end });
    expect(await freeNow(diary)).toEqual([]);
    const search = await searchSlots(e2e.api, { appointmentType: diary.typeCode, siteId: [diary.siteId] });
    expect(search.map((s) => utc(s.start))).not.toContain(utc(slots[0].start));
  });

  it('lists every free adviser, and drops one who is booked or off sick', async () => {
    const [a, b, c] = await openAllHours(3);
    await clearOfFiveMinuteMark();
    const expected = new Date(nextMark(testClock.now())).toISOString();
    const all = await freeNow(a);
    expect(new Set(all.map((s) => s.adviserId))).toEqual(new Set([a.adviserId, b.adviserId, c.adviserId]));
    expect(new Set(all.map((s) => utc(s.start)))).toEqual(new Set([expected]));

    expect((await e2e.api.post('/v1/bookings', bookingBody(a, all[0].start))).status).toBe(201);
    const now = testClock.now();
    await e2e.api.create(`/v1/advisers/${b.adviserId}/exceptions`, { from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 7_200_000).toISOString(), kind: 'sickness' });
    expect((await freeNow(a)).map((s) => s.adviserId)).toEqual([c.adviserId]);

    // A partner with slots:read sees the same.
    const partner = await partnerKey(e2e.api, ['slots:read']);
    expect((await freeNow(a, e2e.api.as(partner.key))).map((s) => s.adviserId)).toEqual([c.adviserId]);
  });

  it('is empty when the site is closed today or its minimum notice is longer than the wait', async () => {
    const [closed] = await openAllHours();
    expect(await freeNow(closed)).toHaveLength(1);
    await e2e.api.create(`/v1/sites/${closed.siteId}/closures`, { date: ukDate(testClock.now()), reason: 'Fire drill' });
    expect(await freeNow(closed)).toEqual([]);

    const [notice] = await openAllHours(1, { minNoticeMinutes: 30 });
    expect(await freeNow(notice)).toEqual([]);
  });

  it('refuses an unknown appointment type and a malformed site id', async () => {
    const [diary] = await openAllHours();
    const unknown = await e2e.api.get(`/v1/sites/${diary.siteId}/free-now?appointmentType=NO_SUCH_TYPE`);
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('UNKNOWN_APPOINTMENT_TYPE');
    const badId = await e2e.api.get(`/v1/sites/not-a-uuid/free-now?appointmentType=${diary.typeCode}`);
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('INVALID_ID');
  });
});
