import { createHash } from 'node:crypto';
import { CreatePatternDto } from '../../src/diaries/dto/diaries.dto';
import { ADMIN, serviceBooking, serviceDiary, useTestContext } from '../support/context';

// DiariesService, SitesService and PartnersService against real PostgreSQL, without HTTP.

const EARLY = Date.parse('2027-01-01T00:00:00Z');

describe('diaries, sites and partners (integration)', () => {
  const ctx = useTestContext();

  const pattern = (siteId: string, typeCode: string, overrides: Partial<CreatePatternDto> = {}): CreatePatternDto => ({
    siteId,
    weekdays: ['MON'],
    startTime: '09:00',
    endTime: '12:00',
    validFrom: '2027-01-04',
    appointmentTypes: [typeCode],
    ...overrides,
  });

  describe('PartnersService', () => {
    it('issues a key once and stores only its SHA-256', async () => {
      const organisation = await ctx.partners.createOrganisation({ name: 'Swindon Jobcentre Plus', kind: 'jobcentre' });
      expect(organisation).toEqual({ id: expect.any(String), name: 'Swindon Jobcentre Plus', kind: 'jobcentre' });
      const key = await ctx.partners.createApiKey(organisation.id, { scopes: ['slots:read', 'bookings:write'] });
      expect(key.key).toMatch(/^cbk_[A-Za-z0-9_-]{43}$/);
      expect(key).toMatchObject({ organisationId: organisation.id, scopes: ['slots:read', 'bookings:write'] });
      const rows = await ctx.dataSource.query('SELECT key_hash, scopes, revoked_at FROM api_keys WHERE id = $1', [key.id]);
      expect(rows).toEqual([{ key_hash: createHash('sha256').update(key.key).digest(), scopes: ['slots:read', 'bookings:write'], revoked_at: null }]);
      await expect(ctx.partners.createApiKey('00000000-0000-4000-8000-000000000000', { scopes: ['admin'] })).rejects.toMatchObject({ status: 404, code: 'ORGANISATION_NOT_FOUND' });
    });
  });

  describe('SitesService', () => {
    it('normalises the postcode and fills in defaults', async () => {
      const site = await ctx.sites.create({ name: 'Central Library', kind: 'library', address: 'Regent Circus, Swindon', postcode: 'sn11qg' });
      expect(site).toEqual({
        id: expect.any(String),
        name: 'Central Library',
        kind: 'library',
        address: 'Regent Circus, Swindon',
        postcode: 'SN1 1QG',
        timezone: 'Europe/London',
        openingHours: null,
        minNoticeMinutes: 0,
        bankHolidays: 'ENG',
        area: null,
        latitude: null,
        longitude: null,
      });
      expect(await ctx.sites.get(site.id)).toEqual(site);
      await ctx.sites.createRoom(site.id, { name: 'Study room', capacity: 4 });
      await expect(ctx.sites.createRoom(site.id, { name: 'Study room', capacity: 2 })).rejects.toMatchObject({ status: 409, code: 'ROOM_EXISTS' });
      expect((await ctx.sites.listRooms(site.id)).map((r) => [r.name, r.capacity])).toEqual([['Study room', 4]]);
      await expect(ctx.sites.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404, code: 'SITE_NOT_FOUND' });
    });

    it('a closure flags every adviser’s bookings at that site on that local day, and no others', async () => {
      const diary = await serviceDiary(ctx, { advisers: 2 });
      const other = await serviceDiary(ctx);
      const [a, b] = diary.adviserIds;
      const book = async (adviserId: string, start: string, d = diary) => (await ctx.bookings.book(ADMIN, serviceBooking({ ...d, adviserId }, start), undefined, EARLY)).booking;
      const bLate = await book(b, '2027-06-08T15:00:00+01:00');
      const aEarly = await book(a, '2027-06-08T09:00:00+01:00');
      const nextDay = await book(a, '2027-06-09T09:00:00+01:00');
      const elsewhere = await book(other.adviserId, '2027-06-08T09:00:00+01:00', other);
      const closure = await ctx.sites.createClosure(diary.siteId, { date: '2027-06-08', reason: 'Power cut' });
      expect(closure.affectedBookings.map((x) => x.id)).toEqual([aEarly.id, bLate.id]);
      expect(closure.affectedBookings.map((x) => x.adviserId)).toEqual([a, b]);
      for (const [booking, flagged] of [[aEarly, true], [bLate, true], [nextDay, false], [elsewhere, false]] as const) {
        expect(await ctx.bookings.get(ADMIN, booking.id)).toMatchObject({ status: 'booked', needsRebooking: flagged });
      }
      await expect(ctx.sites.createClosure(diary.siteId, { date: '2027-06-08', reason: 'Again' })).rejects.toMatchObject({ status: 409, code: 'CLOSURE_EXISTS' });
    });
  });

  describe('DiariesService', () => {
    it('types, advisers and patterns: refusals and views', async () => {
      const organisation = await ctx.partners.createOrganisation({ name: 'Careers Co', kind: 'provider' });
      const site = await ctx.sites.create({ name: 'College', kind: 'college', address: 'North Star, Swindon', postcode: 'SN2 1DY' });
      const type = await ctx.diaries.createType({ code: 'ZZ_FOLLOW_UP', name: 'Follow-up', durationMinutes: 30, capacity: 1, channel: 'telephone' });
      expect(type).toMatchObject({ code: 'ZZ_FOLLOW_UP', bufferMinutes: 0 });
      await ctx.diaries.createType({ code: 'AA_GUIDANCE', name: 'Guidance', durationMinutes: 60, capacity: 1, channel: 'face_to_face', bufferMinutes: 5 });
      await expect(ctx.diaries.createType({ code: 'ZZ_FOLLOW_UP', name: 'Again', durationMinutes: 30, capacity: 1, channel: 'video' })).rejects.toMatchObject({ status: 409, code: 'APPOINTMENT_TYPE_EXISTS' });

      const adviser = await ctx.diaries.createAdviser({ name: 'Priya Shah', email: 'Priya.Shah@Careers.Example', organisationId: organisation.id, appointmentTypes: ['ZZ_FOLLOW_UP', 'AA_GUIDANCE'] });
      expect(adviser).toMatchObject({ email: 'priya.shah@careers.example', appointmentTypes: ['AA_GUIDANCE', 'ZZ_FOLLOW_UP'] });
      await expect(ctx.diaries.createAdviser({ name: 'X', email: 'x@example.com', organisationId: '00000000-0000-4000-8000-000000000000', appointmentTypes: ['AA_GUIDANCE'] })).rejects.toMatchObject({ status: 422, code: 'UNKNOWN_ORGANISATION' });
      await expect(ctx.diaries.createAdviser({ name: 'X', email: 'x@example.com', organisationId: organisation.id, appointmentTypes: ['NOPE_TYPE'] })).rejects.toMatchObject({ status: 422, code: 'UNKNOWN_APPOINTMENT_TYPE' });

      const created = await ctx.diaries.createPattern(adviser.id, pattern(site.id, 'AA_GUIDANCE', { weekdays: ['THU', 'MON'], startTime: '09:30', endTime: '12:15' }));
      expect(created).toEqual({
        id: expect.any(String),
        adviserId: adviser.id,
        siteId: site.id,
        roomId: null,
        weekdays: ['MON', 'THU'],
        startTime: '09:30',
        endTime: '12:15',
        validFrom: '2027-01-04',
        validTo: null,
        appointmentTypes: ['AA_GUIDANCE'],
      });
      expect(await ctx.diaries.listPatterns(adviser.id)).toEqual([created]);
      await expect(ctx.diaries.createPattern(adviser.id, pattern(site.id, 'AA_GUIDANCE', { weekdays: ['THU'], startTime: '12:00', endTime: '13:00' }))).rejects.toMatchObject({ status: 409, code: 'PATTERN_OVERLAP', details: { patternId: created.id } });
      await expect(ctx.diaries.createPattern(adviser.id, pattern('00000000-0000-4000-8000-000000000000', 'AA_GUIDANCE', { weekdays: ['FRI'] }))).rejects.toMatchObject({ status: 422, code: 'UNKNOWN_SITE' });
      await expect(ctx.diaries.createPattern(adviser.id, pattern(site.id, 'CV_NOT_MINE', { weekdays: ['FRI'] }))).rejects.toMatchObject({ status: 422, code: 'ADVISER_DOES_NOT_DELIVER' });
      expect(await ctx.diaries.listPatterns(adviser.id)).toHaveLength(1);
    });

    it('concurrent overlapping patterns: exactly one wins, for an adviser and for a room', async () => {
      const diary = await serviceDiary(ctx, { pattern: { weekdays: ['SAT'] } });
      const attempts = await Promise.allSettled(
        ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'].map((start) => ctx.diaries.createPattern(diary.adviserId, pattern(diary.siteId, diary.typeCode, { startTime: start, endTime: '13:00' }))),
      );
      expect(attempts.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      expect(attempts.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual(Array(5).fill('PATTERN_OVERLAP'));

      const room = await ctx.sites.createRoom(diary.siteId, { name: 'Contested room', capacity: 1 });
      const organisation = await ctx.partners.createOrganisation({ name: 'Racers', kind: 'provider' });
      const advisers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => ctx.diaries.createAdviser({ name: `Racer ${i}`, email: `racer${i}@example.com`, organisationId: organisation.id, appointmentTypes: [diary.typeCode] })),
      );
      const roomAttempts = await Promise.allSettled(advisers.map((a) => ctx.diaries.createPattern(a.id, pattern(diary.siteId, diary.typeCode, { weekdays: ['TUE'], roomId: room.id }))));
      expect(roomAttempts.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      expect(roomAttempts.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual(Array(5).fill('ROOM_CLASH'));
    });

    it('absences given as dates run from local midnight to local midnight, 25 or 23 hours across the clock changes', async () => {
      const diary = await serviceDiary(ctx);
      const autumn = await ctx.diaries.createException(diary.adviserId, { from: '2027-10-31', to: '2027-10-31', kind: 'leave' });
      expect([autumn.from, autumn.to]).toEqual(['2027-10-31T00:00:00+01:00', '2027-11-01T00:00:00+00:00']);
      const spring = await ctx.diaries.createException(diary.adviserId, { from: '2028-03-26', to: '2028-03-26', kind: 'leave' });
      expect([spring.from, spring.to]).toEqual(['2028-03-26T00:00:00+00:00', '2028-03-27T00:00:00+01:00']);
      const hours = await ctx.dataSource.query(
        `SELECT extract(epoch FROM upper(period) - lower(period)) / 3600 AS hours FROM diary_exceptions WHERE id = ANY ($1) ORDER BY lower(period)`,
        [[autumn.id, spring.id]],
      );
      expect(hours.map((r: { hours: string }) => Number(r.hours))).toEqual([25, 23]);
      await expect(ctx.diaries.createException('00000000-0000-4000-8000-000000000000', { from: '2027-06-01', to: '2027-06-01', kind: 'leave' })).rejects.toMatchObject({ status: 404, code: 'ADVISER_NOT_FOUND' });
    });

    it("an absence flags only that adviser's bookings that overlap it", async () => {
      const diary = await serviceDiary(ctx, { advisers: 2 });
      const [a, b] = diary.adviserIds;
      const book = async (adviserId: string, start: string) => (await ctx.bookings.book(ADMIN, serviceBooking({ ...diary, adviserId }, start), undefined, EARLY)).booking;
      const inside = await book(a, '2027-06-10T10:00:00+01:00');
      const straddling = await book(a, '2027-06-10T13:00:00+01:00');
      const after = await book(a, '2027-06-10T14:00:00+01:00');
      const colleague = await book(b, '2027-06-10T10:00:00+01:00');
      const absence = await ctx.diaries.createException(a, { from: '2027-06-10T09:30:00+01:00', to: '2027-06-10T13:30:00+01:00', kind: 'training', note: 'Safeguarding' });
      expect(absence.affectedBookings.map((x) => x.id)).toEqual([inside.id, straddling.id]);
      for (const [booking, flagged] of [[inside, true], [straddling, true], [after, false], [colleague, false]] as const) {
        expect((await ctx.bookings.get(ADMIN, booking.id)).needsRebooking).toBe(flagged);
      }
      const slots = await ctx.slots.search({ appointmentType: diary.typeCode, adviserId: [a], from: '2027-06-10', to: '2027-06-10' }, EARLY);
      expect(slots.map((s) => s.start.slice(11, 16))).toEqual(['15:00', '16:00']);
    });
  });
});
