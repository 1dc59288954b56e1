import { useTestApp } from '../support/app';
import { bookingBody, BuiltDiary, createDiary, createSite, createType, partnerKey } from '../support/fixtures';

// The day sheet over HTTP: expected customers and collisions per session, who can help,
// the hours of the site's own day (across a clock change), and who sees which customers.

describe('day sheet (e2e)', () => {
  const e2e = useTestApp();

  const sheetPath = (siteId: string, date: string, type?: string) => `/v1/sites/${siteId}/day-sheet?date=${date}${type ? `&appointmentType=${type}` : ''}`;
  const managerKey = async (organisationId: string, siteIds: string[]) =>
    (await e2e.api.create(`/v1/organisations/${organisationId}/api-keys`, { scopes: ['sites:manage'], siteIds })).key as string;
  const book = (diary: BuiltDiary, adviserId: string, start: string, as = e2e.api) => as.create('/v1/bookings', bookingBody({ ...diary, adviserId }, start));
  // Bookings are scored by the live model as they are made; the test gives them known
  // show probabilities by writing the column directly (the worker, which could rescore
  // on a delivered reminder, does not run in e2e tests).
  const setShow = (bookingId: string, p: number | null) => e2e.db.query('UPDATE bookings SET show_probability = $2 WHERE id = $1', [bookingId, p]);

  describe('a Monday with one session overbooked', () => {
    let diary: BuiltDiary;
    let partner: { organisationId: string; key: string };
    let ids: { x1: string; x2: string; y: string; z: string; session: string };

    // Advisers A, B and C see a one-seat type, 09:00-17:00, at a site with a risk policy.
    // A's 09:00 holds two customers at 0.8 in its one seat, the second admitted as an
    // extra; B's 09:00 one customer at 0.5; C has nothing booked. A's 11:00 has one
    // booking never scored.
    beforeAll(async () => {
      diary = await createDiary(e2e.api, { advisers: 3 });
      partner = await partnerKey(e2e.api);
      const [a, b] = diary.adviserIds;
      const x1 = await book(diary, a, '2027-06-07T09:00:00+01:00', e2e.api.as(partner.key));
      // With the site's only booking at 0.5, the site's rate is 0.5: the extra makes a
      // queue only if both come, 0.5 times its own score, never above the 0.5 allowed
      // whatever the model scores it. Nothing is booked with B or C yet, so pooling
      // (the default) has nobody else to count.
      await setShow(x1.id, 0.5);
      const policy = await e2e.api.request('PUT', `/v1/sites/${diary.siteId}/overbooking-policy`, { mode: 'risk', maxRisk: 0.5, noOverbookWithinHours: 0 });
      expect(policy.status).toBe(200);
      const x2 = await book(diary, a, '2027-06-07T09:00:00+01:00');
      expect(x2).toMatchObject({ overbooked: true, overbookPolicyVersion: 1 });
      expect(x2.overbookRisk).toBeCloseTo(0.5 * x2.showProbability, 6);
      const y = await book(diary, b, '2027-06-07T09:00:00+01:00');
      const z = await book(diary, a, '2027-06-07T11:00:00+01:00');
      const [{ session_id: session }] = await e2e.db.query('SELECT session_id FROM bookings WHERE id = $1', [x1.id]);
      ids = { x1: x1.id, x2: x2.id, y: y.id, z: z.id, session };
      await setShow(x1.id, 0.8);
      await setShow(x2.id, 0.8);
      await setShow(y.id, 0.5);
      await setShow(z.id, null);
    });

    it('gives each session its expected customers and the exact chance of a collision, and who can help', async () => {
      const response = await e2e.api.get(sheetPath(diary.siteId, '2027-06-07'));
      expect(response.status).toBe(200);
      const sheet = response.body;
      const [a, b, c] = diary.adviserIds;
      expect(sheet).toMatchObject({ siteId: diary.siteId, date: '2027-06-07', timezone: 'Europe/London', appointmentType: null, collisionLikelyAt: 0.25 });
      // The day's scored bookings average (0.8 + 0.8 + 0.5) / 3.
      expect(sheet.unscoredShowProbability).toBeCloseTo(0.7, 4);
      expect(sheet.sessions.map((s: any) => [s.adviserId, s.start, s.capacity, s.booked])).toEqual(
        expect.arrayContaining([
          [a, '2027-06-07T09:00:00+01:00', 1, 2],
          [b, '2027-06-07T09:00:00+01:00', 1, 1],
        ]),
      );
      expect(sheet.sessions.map((s: any) => s.start)).toEqual(['2027-06-07T09:00:00+01:00', '2027-06-07T09:00:00+01:00', '2027-06-07T11:00:00+01:00']);

      // Two at 0.8 for one seat: a queue if both come, 0.8 × 0.8.
      const queued = sheet.sessions.find((s: any) => s.sessionId === ids.session);
      expect(queued).toMatchObject({ expectedCustomers: 1.6, collisionProbability: 0.64, collisionLikely: true, otherBookings: 0, end: '2027-06-07T10:00:00+01:00', roomId: null });
      expect(queued.bookings).toEqual([
        { bookingId: ids.x1, customerReference: expect.any(String), customerName: 'Sam Taylor', showProbability: 0.8, overbooked: false, referralSource: 'jcp', outcome: null, releasable: false, release: null },
        { bookingId: ids.x2, customerReference: expect.any(String), customerName: 'Sam Taylor', showProbability: 0.8, overbooked: true, referralSource: 'jcp', outcome: null, releasable: false, release: null },
      ]);
      // C is free in the diary (a one-seat session's worth); B expects 0.5 in one seat.
      expect(queued.helpers.map((h: any) => [h.adviserId, h.inSession, h.expectedSpare])).toEqual([
        [c, false, 1],
        [b, true, 0.5],
      ]);
      expect(queued.helpers[0].adviserName).toMatch(/^Adviser /);

      const roomy = sheet.sessions.find((s: any) => s.adviserId === b);
      expect(roomy).toMatchObject({ expectedCustomers: 0.5, collisionProbability: 0, collisionLikely: false, helpers: [] });
      const unscored = sheet.sessions.find((s: any) => s.bookings[0]?.bookingId === ids.z);
      expect(unscored).toMatchObject({ expectedCustomers: 0.7, collisionLikely: false });
      expect(unscored.bookings[0].showProbability).toBeNull();

      // 09:00 is A's seat and B's, 0.8 + 0.8 + 0.5 expected; 11:00 A's seat, 0.7 for the unscored booking.
      expect(sheet.hours).toEqual([
        { start: '2027-06-07T09:00:00+01:00', end: '2027-06-07T10:00:00+01:00', sessions: 2, capacity: 2, booked: 3, expectedCustomers: 2.1, collisionsLikely: 1 },
        { start: '2027-06-07T11:00:00+01:00', end: '2027-06-07T12:00:00+01:00', sessions: 1, capacity: 1, booked: 1, expectedCustomers: 0.7, collisionsLikely: 0 },
      ]);
      expect(sheet.totals).toEqual({ sessions: 3, capacity: 3, booked: 4, expectedCustomers: 2.8, collisionsLikely: 1 });
    });

    it('a recorded outcome counts instead of the score', async () => {
      await e2e.db.query(`UPDATE bookings SET outcome = 'dna' WHERE id = $1`, [ids.x2]);
      try {
        const queued = (await e2e.api.get(sheetPath(diary.siteId, '2027-06-07'))).body.sessions.find((s: any) => s.sessionId === ids.session);
        expect(queued).toMatchObject({ expectedCustomers: 0.8, collisionProbability: 0, collisionLikely: false, helpers: [] });
        expect(queued.bookings[1]).toMatchObject({ outcome: 'dna', showProbability: 0.8 });
      } finally {
        await e2e.db.query('UPDATE bookings SET outcome = NULL WHERE id = $1', [ids.x2]);
      }
    });

    it('filters by appointment type, and leaves out a day with nothing booked', async () => {
      const same = (await e2e.api.get(sheetPath(diary.siteId, '2027-06-07', diary.typeCode))).body;
      expect(same).toMatchObject({ appointmentType: diary.typeCode, totals: { sessions: 3 } });
      const other = await createType(e2e.api);
      expect((await e2e.api.get(sheetPath(diary.siteId, '2027-06-07', other))).body).toMatchObject({ sessions: [], hours: [], totals: { sessions: 0, booked: 0, expectedCustomers: 0 } });
      expect((await e2e.api.get(sheetPath(diary.siteId, '2027-06-08'))).body).toMatchObject({ sessions: [], totals: { sessions: 0 } });
    });

    it("a booking key sees the same figures but names only its own organisation's customers", async () => {
      const full = (await e2e.api.get(sheetPath(diary.siteId, '2027-06-07'))).body;
      const response = await e2e.api.as(partner.key).get(sheetPath(diary.siteId, '2027-06-07'));
      expect(response.status).toBe(200);
      const sheet = response.body;
      expect(sheet.totals).toEqual(full.totals);
      const queued = sheet.sessions.find((s: any) => s.sessionId === ids.session);
      expect(queued).toMatchObject({ booked: 2, otherBookings: 1, expectedCustomers: 1.6, collisionProbability: 0.64 });
      expect(queued.bookings.map((b: any) => b.bookingId)).toEqual([ids.x1]);
      expect(sheet.sessions.filter((s: any) => s.sessionId !== ids.session).map((s: any) => [s.bookings.length, s.otherBookings])).toEqual([
        [0, 1],
        [0, 1],
      ]);
      // The advisers' own provider sees its advisers' customers, as with outcomes due.
      const provider = await e2e.api.create(`/v1/organisations/${diary.organisationId}/api-keys`, { scopes: ['bookings:write'] });
      const theirs = (await e2e.api.as(provider.key).get(sheetPath(diary.siteId, '2027-06-07'))).body;
      expect(theirs.sessions.flatMap((s: any) => s.bookings.map((b: any) => b.bookingId)).sort()).toEqual([ids.x1, ids.x2, ids.y, ids.z].sort());
    });

    it("the site's manager sees every customer; a manager of another site, a search-only key and no key are refused", async () => {
      const manager = e2e.api.as(await managerKey(diary.organisationId, [diary.siteId]));
      const managed = await manager.get(sheetPath(diary.siteId, '2027-06-07'));
      expect(managed.status).toBe(200);
      expect(managed.body.sessions.every((s: any) => s.otherBookings === 0)).toBe(true);

      const other = await createSite(e2e.api);
      const elsewhere = e2e.api.as(await managerKey(diary.organisationId, [other.id]));
      const refused = await elsewhere.get(sheetPath(diary.siteId, '2027-06-07'));
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'SITE_NOT_MANAGED' });
      expect((await elsewhere.get(sheetPath(other.id, '2027-06-07'))).status).toBe(200);

      const searcher = await partnerKey(e2e.api, ['slots:read']);
      const forbidden = await e2e.api.as(searcher.key).get(sheetPath(diary.siteId, '2027-06-07'));
      expect({ status: forbidden.status, code: forbidden.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect((await e2e.api.as(null).get(sheetPath(diary.siteId, '2027-06-07'))).status).toBe(401);
    });

    it('refuses a bad date, an unknown site or type, with a code', async () => {
      for (const date of ['2027-02-30', '07/06/2027', '2027-06-07T09:00:00Z', '']) {
        const response = await e2e.api.get(sheetPath(diary.siteId, date));
        expect({ date, status: response.status, code: response.body.code }).toEqual({ date, status: 400, code: 'VALIDATION_FAILED' });
      }
      const missing = await e2e.api.get(`/v1/sites/${diary.siteId}/day-sheet`);
      expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      const lower = await e2e.api.get(sheetPath(diary.siteId, '2027-06-07', 'guidance'));
      expect({ status: lower.status, code: lower.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      const unknownType = await e2e.api.get(sheetPath(diary.siteId, '2027-06-07', 'NO_SUCH_TYPE'));
      expect({ status: unknownType.status, code: unknownType.body.code }).toEqual({ status: 422, code: 'UNKNOWN_APPOINTMENT_TYPE' });
      const unknownSite = await e2e.api.get(sheetPath('00000000-0000-4000-8000-000000000000', '2027-06-07'));
      expect({ status: unknownSite.status, code: unknownSite.body.code }).toEqual({ status: 404, code: 'SITE_NOT_FOUND' });
      const badId = await e2e.api.get(sheetPath('not-a-uuid', '2027-06-07'));
      expect({ status: badId.status, code: badId.body.code }).toEqual({ status: 400, code: 'INVALID_ID' });
    });
  });

  describe('around the autumn clock change', () => {
    // Sundays and Mondays from midnight, in half hours: Sunday 31 October 2027 is the day
    // the clocks go back, 25 hours long, its 01:00-02:00 twice over.
    let diary: BuiltDiary;
    beforeAll(async () => {
      diary = await createDiary(e2e.api, { type: { durationMinutes: 30 }, pattern: { weekdays: ['SUN', 'MON'], startTime: '00:00', endTime: '12:00', validFrom: '2027-10-01' } });
    });

    it("groups by the site's local hours: the repeated hour is two hours, each with its offset", async () => {
      for (const start of ['2027-10-31T01:30:00+01:00', '2027-10-31T01:30:00+00:00', '2027-10-31T09:00:00+00:00']) await book(diary, diary.adviserId, start);
      const sheet = (await e2e.api.get(sheetPath(diary.siteId, '2027-10-31'))).body;
      expect(sheet.sessions.map((s: any) => s.start)).toEqual(['2027-10-31T01:30:00+01:00', '2027-10-31T01:30:00+00:00', '2027-10-31T09:00:00+00:00']);
      expect(sheet.hours.map((h: any) => [h.start, h.end, h.sessions])).toEqual([
        ['2027-10-31T01:00:00+01:00', '2027-10-31T01:00:00+00:00', 1],
        ['2027-10-31T01:00:00+00:00', '2027-10-31T02:00:00+00:00', 1],
        ['2027-10-31T09:00:00+00:00', '2027-10-31T10:00:00+00:00', 1],
      ]);
    });

    it("takes the day from the site's zone: 00:30 on a BST Monday is the Sunday before in UTC, yet on Monday's sheet", async () => {
      await book(diary, diary.adviserId, '2027-10-25T00:30:00+01:00');
      const monday = (await e2e.api.get(sheetPath(diary.siteId, '2027-10-25'))).body;
      expect(monday.sessions.map((s: any) => s.start)).toEqual(['2027-10-25T00:30:00+01:00']);
      expect(monday.hours.map((h: any) => h.start)).toEqual(['2027-10-25T00:00:00+01:00']);
      expect((await e2e.api.get(sheetPath(diary.siteId, '2027-10-24'))).body.sessions).toEqual([]);
    });
  });
});
