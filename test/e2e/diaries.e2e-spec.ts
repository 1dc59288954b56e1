import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';
import { ALL_DAYS, bookingBody, createAdviser, createDiary, createOrganisation, createPattern, createRoom, createSite, createType, Diary, fromHold, patternBody, searchSlots, slotRef, times, utc } from '../support/fixtures';

// Diaries through the public API: weekly patterns, the calendar that shapes them (clock
// changes, bank holidays, closures, opening hours), absences, buffers, groups, and search.

describe('diaries (e2e)', () => {
  const e2e = useTestApp();

  const daySlots = (diary: Diary, from: string, to = from) => searchSlots(e2e.api, { appointmentType: diary.typeCode, siteId: [diary.siteId], from, to });
  const book = (diary: Diary, start: string, reference?: string) => e2e.api.create('/v1/bookings', bookingBody(diary, start, reference));

  describe('clock changes', () => {
    let diary: Diary;
    beforeAll(async () => {
      diary = await createDiary(e2e.api, { pattern: { weekdays: ['MON'], startTime: '09:00', endTime: '12:00' } });
    });

    it('autumn: the Monday after clocks go back starts at 09:00 GMT, with as many slots as any Monday and none twice', async () => {
      const slots = await daySlots(diary, '2027-10-25', '2027-11-08');
      expect(slots.map((s) => utc(s.start))).toEqual([
        '2027-10-25T08:00:00.000Z', '2027-10-25T09:00:00.000Z', '2027-10-25T10:00:00.000Z', // BST
        '2027-11-01T09:00:00.000Z', '2027-11-01T10:00:00.000Z', '2027-11-01T11:00:00.000Z', // GMT
        '2027-11-08T09:00:00.000Z', '2027-11-08T10:00:00.000Z', '2027-11-08T11:00:00.000Z',
      ]);
      expect(times(slots)).toEqual(['09:00', '10:00', '11:00', '09:00', '10:00', '11:00', '09:00', '10:00', '11:00']);
      expect(slots[3].start).toBe('2027-11-01T09:00:00+00:00');
      expect(slots[3].end).toBe('2027-11-01T10:00:00+00:00');
    });

    it('spring: the Monday after clocks go forward starts at 08:00Z (09:00 BST), with as many slots as any Monday and none twice', async () => {
      const slots = await daySlots(diary, '2028-03-20', '2028-04-03');
      expect(slots.map((s) => utc(s.start))).toEqual([
        '2028-03-20T09:00:00.000Z', '2028-03-20T10:00:00.000Z', '2028-03-20T11:00:00.000Z', // GMT
        '2028-03-27T08:00:00.000Z', '2028-03-27T09:00:00.000Z', '2028-03-27T10:00:00.000Z', // BST
        '2028-04-03T08:00:00.000Z', '2028-04-03T09:00:00.000Z', '2028-04-03T10:00:00.000Z',
      ]);
      expect(new Date(slots[3].start).toISOString()).toBe('2028-03-27T08:00:00.000Z');
      expect(slots[3].start).toBe('2028-03-27T09:00:00+01:00');
    });

    it('a search spanning only the weekend of the change returns just that Monday, once', async () => {
      for (const [from, to, first] of [['2027-10-30', '2027-11-01', '2027-11-01T09:00:00.000Z'], ['2028-03-25', '2028-03-27', '2028-03-27T08:00:00.000Z']]) {
        const slots = await daySlots(diary, from, to);
        expect(slots).toHaveLength(3);
        expect(new Set(slots.map((s) => utc(s.start))).size).toBe(3);
        expect(utc(slots[0].start)).toBe(first);
      }
    });

    it('the night of the change: a 00:00-04:00 Sunday pattern spans the real hours between those wall-clock times', async () => {
      const night = await createDiary(e2e.api, { site: { bankHolidays: 'NONE' }, pattern: { weekdays: ['SUN'], startTime: '00:00', endTime: '04:00' } });
      const autumn = await daySlots(night, '2027-10-31');
      // 00:00 BST to 04:00 GMT is five hours: 01:00 happens twice and both are distinct instants.
      expect(autumn.map((s) => utc(s.start))).toEqual(['2027-10-30T23:00:00.000Z', '2027-10-31T00:00:00.000Z', '2027-10-31T01:00:00.000Z', '2027-10-31T02:00:00.000Z', '2027-10-31T03:00:00.000Z']);
      const spring = await daySlots(night, '2028-03-26');
      // 00:00 GMT to 04:00 BST is three hours; 01:00-02:00 never shows on the clock.
      expect(spring.map((s) => utc(s.start))).toEqual(['2028-03-26T00:00:00.000Z', '2028-03-26T01:00:00.000Z', '2028-03-26T02:00:00.000Z']);
      expect(times(spring)).toEqual(['00:00', '02:00', '03:00']);
    });

    it('a booking on the Monday after the change lands at the wall-clock time', async () => {
      const booking = await book(diary, '2027-11-01T10:00:00Z');
      expect(booking.start).toBe('2027-11-01T10:00:00+00:00');
      const slots = await daySlots(diary, '2027-11-01');
      expect(slots.map((s) => utc(s.start))).toEqual(['2027-11-01T09:00:00.000Z', '2027-11-01T11:00:00.000Z']);
    });
  });

  describe('bank holidays and closures', () => {
    it('England bank holidays (Good Friday, Easter Monday, Christmas substitute days) have no slots', async () => {
      const diary = await createDiary(e2e.api);
      for (const date of ['2027-03-26', '2027-03-29', '2027-12-27', '2027-12-28', '2027-08-30']) expect(await daySlots(diary, date)).toEqual([]);
      expect(await daySlots(diary, '2027-03-30')).toHaveLength(8);
      const week = await daySlots(diary, '2027-03-29', '2027-04-02');
      expect(new Set(week.map((s) => s.start.slice(0, 10)))).toEqual(new Set(['2027-03-30', '2027-03-31', '2027-04-01', '2027-04-02']));
      expect(week).toHaveLength(32);
    });

    it("a site follows its own nation's bank holidays, or none", async () => {
      const scottish = await createDiary(e2e.api, { site: { bankHolidays: 'SCT' } });
      expect(await daySlots(scottish, '2027-03-29')).toHaveLength(8); // Easter Monday is not a Scottish bank holiday
      expect(await daySlots(scottish, '2027-08-02')).toEqual([]); // Scottish summer bank holiday
      expect(await daySlots(scottish, '2027-08-30')).toHaveLength(8);
      const english = await createDiary(e2e.api);
      expect(await daySlots(english, '2027-08-02')).toHaveLength(8);
      const none = await createDiary(e2e.api, { site: { bankHolidays: 'NONE' } });
      expect(await daySlots(none, '2027-03-29')).toHaveLength(8);
    });

    it('a closure removes that local day only, and cannot be recorded twice', async () => {
      const diary = await createDiary(e2e.api);
      const closure = await e2e.api.create(`/v1/sites/${diary.siteId}/closures`, { date: '2027-06-16', reason: 'Building maintenance' });
      expect(closure).toMatchObject({ siteId: diary.siteId, date: '2027-06-16', reason: 'Building maintenance', affectedBookings: [] });
      expect(await daySlots(diary, '2027-06-16')).toEqual([]);
      expect(await daySlots(diary, '2027-06-15')).toHaveLength(8);
      expect(await daySlots(diary, '2027-06-17')).toHaveLength(8);
      const again = await e2e.api.post(`/v1/sites/${diary.siteId}/closures`, { date: '2027-06-16', reason: 'Again' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('CLOSURE_EXISTS');
    });

    it('a closure over existing bookings keeps them, flags them for rebooking and lists them', async () => {
      const diary = await createDiary(e2e.api);
      const late = await book(diary, '2027-06-21T14:00:00+01:00', 'CLOSE-LATE');
      const early = await book(diary, '2027-06-21T10:00:00+01:00', 'CLOSE-EARLY');
      const nextDay = await book(diary, '2027-06-22T10:00:00+01:00', 'CLOSE-NEXT');
      const closure = await e2e.api.create(`/v1/sites/${diary.siteId}/closures`, { date: '2027-06-21', reason: 'Flood' });
      expect(closure.affectedBookings).toEqual([
        { id: early.id, siteId: diary.siteId, adviserId: diary.adviserId, start: '2027-06-21T10:00:00+01:00', end: '2027-06-21T11:00:00+01:00', customerReference: 'CLOSE-EARLY' },
        { id: late.id, siteId: diary.siteId, adviserId: diary.adviserId, start: '2027-06-21T14:00:00+01:00', end: '2027-06-21T15:00:00+01:00', customerReference: 'CLOSE-LATE' },
      ]);
      for (const booking of [early, late]) {
        const current = await e2e.api.get(`/v1/bookings/${booking.id}`);
        expect(current.status).toBe(200);
        expect(current.body).toMatchObject({ status: 'booked', needsRebooking: true, start: booking.start });
      }
      expect((await e2e.api.get(`/v1/bookings/${nextDay.id}`)).body).toMatchObject({ status: 'booked', needsRebooking: false });
      expect(await daySlots(diary, '2027-06-21')).toEqual([]);
      expect(await daySlots(diary, '2027-06-22')).toHaveLength(7);
      const sheet = await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-21`);
      expect(sheet.body.bookings.map((b: { id: string }) => b.id)).toEqual([early.id, late.id]);
    });
  });

  describe('holds taken before the diary changed', () => {
    // A closure or an absence removes the slots and flags the bookings already made; a hold
    // taken earlier must not turn into a new, unflagged booking on the closed day.
    const holdThenBook = async (diary: Diary, start: string) => {
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, start));
      return async () => e2e.api.post('/v1/bookings', fromHold(hold.id));
    };

    it('a live hold cannot be booked once the site is closed that day', async () => {
      const diary = await createDiary(e2e.api);
      const start = '2027-06-28T10:00:00+01:00';
      const bookFromHold = await holdThenBook(diary, start);
      await e2e.api.create(`/v1/sites/${diary.siteId}/closures`, { date: '2027-06-28', reason: 'Flood' });
      const direct = await e2e.api.post('/v1/bookings', bookingBody(diary, '2027-06-28T11:00:00+01:00'));
      expect({ status: direct.status, code: direct.body.code }).toEqual({ status: 409, code: 'SLOT_NOT_IN_DIARY' });
      const response = await bookFromHold();
      expect({ status: response.status, code: response.body.code, needsRebooking: response.body.needsRebooking }).toEqual({ status: 409, code: 'SLOT_NOT_IN_DIARY', needsRebooking: undefined });
      expect((await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-28`)).body.bookings).toEqual([]);
    });

    it('a live hold cannot be booked once the adviser is recorded as absent then', async () => {
      const diary = await createDiary(e2e.api);
      const start = '2027-06-29T10:00:00+01:00';
      const bookFromHold = await holdThenBook(diary, start);
      await e2e.api.create(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-06-29', to: '2027-06-29', kind: 'sickness' });
      const response = await bookFromHold();
      expect({ status: response.status, code: response.body.code, needsRebooking: response.body.needsRebooking }).toEqual({ status: 409, code: 'SLOT_NOT_IN_DIARY', needsRebooking: undefined });
      expect((await e2e.api.get(`/v1/bookings?adviserId=${diary.adviserId}&date=2027-06-29`)).body.bookings).toEqual([]);
    });
  });

  describe('opening hours', () => {
    it('clip patterns to the hours the site is open, and a weekday left out is closed', async () => {
      const diary = await createDiary(e2e.api, {
        site: { openingHours: { MON: { open: '10:00', close: '15:30' }, TUE: { open: '08:00', close: '20:00' }, THU: { open: '13:00', close: '14:30' } } },
      });
      expect(times(await daySlots(diary, '2027-06-07'))).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00']); // MON 10:00-15:30
      expect(times(await daySlots(diary, '2027-06-08'))).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']); // TUE: the pattern is narrower
      expect(await daySlots(diary, '2027-06-09')).toEqual([]); // WED: not open
      expect(times(await daySlots(diary, '2027-06-10'))).toEqual(['13:00']); // THU 13:00-14:30
    });

    it('refuses opening hours that close before they open', async () => {
      const response = await e2e.api.post('/v1/sites', { name: 'Back to front', kind: 'college', address: '1 Road', postcode: 'SN1 1AA', openingHours: { MON: { open: '17:00', close: '09:00' } } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_OPENING_HOURS');
    });
  });

  describe('pattern rules', () => {
    it('an adviser cannot be in two overlapping patterns, even at different sites; touching or separate ones are fine', async () => {
      const organisation = await createOrganisation(e2e.api);
      const typeCode = await createType(e2e.api);
      const [siteA, siteB] = [await createSite(e2e.api), await createSite(e2e.api)];
      const adviser = await createAdviser(e2e.api, organisation.id, [typeCode]);
      const first = await createPattern(e2e.api, adviser.id, { siteId: siteA.id, weekdays: ['MON', 'WED'], startTime: '09:00', endTime: '12:00', appointmentTypes: [typeCode] });
      const post = (input: Partial<Parameters<typeof patternBody>[0]>) => e2e.api.post(`/v1/advisers/${adviser.id}/patterns`, patternBody({ siteId: siteB.id, appointmentTypes: [typeCode], ...input }));

      for (const clash of [
        { weekdays: ['MON'], startTime: '11:00', endTime: '13:00' },
        { weekdays: ['FRI', 'WED'], startTime: '11:55', endTime: '12:30' },
        { weekdays: ['MON'], startTime: '08:00', endTime: '17:00', validFrom: '2026-06-01', validTo: '2027-01-04' },
      ]) {
        const response = await post(clash);
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ code: 'PATTERN_OVERLAP', details: { patternId: first.id } });
      }
      expect((await post({ weekdays: ['MON'], startTime: '12:00', endTime: '13:00' })).status).toBe(201); // touching
      expect((await post({ weekdays: ['TUE'], startTime: '09:00', endTime: '12:00' })).status).toBe(201); // another day
      expect((await post({ weekdays: ['WED'], startTime: '09:00', endTime: '12:00', validFrom: '2026-06-01', validTo: '2027-01-03' })).status).toBe(201); // before it starts
      const patterns = await e2e.api.get(`/v1/advisers/${adviser.id}/patterns`);
      expect(patterns.body).toHaveLength(4);
    });

    it('two advisers cannot share a room at overlapping times; other times and other rooms are fine', async () => {
      const organisation = await createOrganisation(e2e.api);
      const typeCode = await createType(e2e.api);
      const site = await createSite(e2e.api);
      const [room, otherRoom] = [await createRoom(e2e.api, site.id, 1), await createRoom(e2e.api, site.id, 1)];
      const [a, b, c] = [await createAdviser(e2e.api, organisation.id, [typeCode]), await createAdviser(e2e.api, organisation.id, [typeCode]), await createAdviser(e2e.api, organisation.id, [typeCode])];
      const base = { siteId: site.id, appointmentTypes: [typeCode], weekdays: ['MON'] };
      const taken = await createPattern(e2e.api, a.id, { ...base, roomId: room.id, startTime: '09:00', endTime: '12:00' });
      const clash = await e2e.api.post(`/v1/advisers/${b.id}/patterns`, patternBody({ ...base, roomId: room.id, startTime: '11:00', endTime: '14:00' }));
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ code: 'ROOM_CLASH', details: { patternId: taken.id } });
      expect((await e2e.api.post(`/v1/advisers/${b.id}/patterns`, patternBody({ ...base, roomId: room.id, startTime: '12:00', endTime: '14:00' }))).status).toBe(201);
      expect((await e2e.api.post(`/v1/advisers/${c.id}/patterns`, patternBody({ ...base, roomId: otherRoom.id, startTime: '09:00', endTime: '12:00' }))).status).toBe(201);
      expect((await e2e.api.post(`/v1/advisers/${c.id}/patterns`, patternBody({ ...base, weekdays: ['TUE'], roomId: room.id, startTime: '09:00', endTime: '12:00' }))).status).toBe(201);
      // And a room of another site is refused.
      const elsewhere = await createSite(e2e.api);
      const wrongSite = await e2e.api.post(`/v1/advisers/${c.id}/patterns`, patternBody({ ...base, siteId: elsewhere.id, weekdays: ['FRI'], roomId: room.id }));
      expect(wrongSite.status).toBe(422);
      expect(wrongSite.body.code).toBe('UNKNOWN_ROOM');
    });

    it('a pattern with a type the adviser does not deliver is 422 ADVISER_DOES_NOT_DELIVER', async () => {
      const organisation = await createOrganisation(e2e.api);
      const delivered = await createType(e2e.api);
      const other = await createType(e2e.api);
      const site = await createSite(e2e.api);
      const adviser = await createAdviser(e2e.api, organisation.id, [delivered]);
      const response = await e2e.api.post(`/v1/advisers/${adviser.id}/patterns`, patternBody({ siteId: site.id, appointmentTypes: [delivered, other] }));
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('ADVISER_DOES_NOT_DELIVER');
      expect(response.body.message).toContain(other);
      expect((await e2e.api.get(`/v1/advisers/${adviser.id}/patterns`)).body).toEqual([]);
    });

    it('refuses back-to-front times and periods', async () => {
      const diary = await createDiary(e2e.api);
      const empty = await e2e.api.post(`/v1/advisers/${diary.adviserId}/patterns`, patternBody({ siteId: diary.siteId, appointmentTypes: [diary.typeCode], weekdays: ['SAT'], startTime: '12:00', endTime: '12:00' }));
      expect(empty.status).toBe(400);
      expect(empty.body.code).toBe('INVALID_TIMES');
      const period = await e2e.api.post(`/v1/advisers/${diary.adviserId}/patterns`, patternBody({ siteId: diary.siteId, appointmentTypes: [diary.typeCode], weekdays: ['SAT'], validFrom: '2027-06-01', validTo: '2027-05-31' }));
      expect(period.status).toBe(400);
      expect(period.body.code).toBe('INVALID_PERIOD');
    });
  });

  describe('exceptions (leave, sickness, training)', () => {
    it('an absence over existing bookings keeps them, lists them, flags them and removes the slots', async () => {
      const diary = await createDiary(e2e.api);
      const eleven = await book(diary, '2027-06-14T11:00:00+01:00', 'SICK-11');
      const nine = await book(diary, '2027-06-14T09:00:00+01:00', 'SICK-09');
      const tuesday = await book(diary, '2027-06-15T09:00:00+01:00', 'SICK-TUE');
      const exception = await e2e.api.create(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-06-14', to: '2027-06-14', kind: 'sickness', note: 'Flu' });
      expect(exception).toMatchObject({ adviserId: diary.adviserId, from: '2027-06-14T00:00:00+01:00', to: '2027-06-15T00:00:00+01:00', kind: 'sickness', note: 'Flu' });
      expect(exception.affectedBookings.map((b: { id: string }) => b.id)).toEqual([nine.id, eleven.id]);
      expect(exception.affectedBookings[0]).toEqual({ id: nine.id, siteId: diary.siteId, adviserId: diary.adviserId, start: '2027-06-14T09:00:00+01:00', end: '2027-06-14T10:00:00+01:00', customerReference: 'SICK-09' });
      for (const booking of [nine, eleven]) {
        const current = await e2e.api.get(`/v1/bookings/${booking.id}`);
        expect(current.status).toBe(200);
        expect(current.body).toMatchObject({ status: 'booked', needsRebooking: true, start: booking.start, end: booking.end });
      }
      expect((await e2e.api.get(`/v1/bookings/${tuesday.id}`)).body.needsRebooking).toBe(false);
      expect(await daySlots(diary, '2027-06-14')).toEqual([]);
      expect(times(await daySlots(diary, '2027-06-15'))).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);

      // Rebooking a flagged booking clears the flag.
      const moved = await e2e.api.post(`/v1/bookings/${nine.id}/reschedule`, slotRef(diary, '2027-06-15T10:00:00+01:00'));
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: nine.id, needsRebooking: false, rescheduleCount: 1, start: '2027-06-15T10:00:00+01:00' });
    });

    it('dates cover whole local days, not UTC days', async () => {
      const diary = await createDiary(e2e.api, { type: { durationMinutes: 30 }, site: { bankHolidays: 'NONE' }, pattern: { weekdays: ALL_DAYS, startTime: '00:00', endTime: '23:55' } });
      const leave = await e2e.api.create(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-07-06', to: '2027-07-07', kind: 'leave' });
      expect(utc(leave.from)).toBe('2027-07-05T23:00:00.000Z');
      expect(utc(leave.to)).toBe('2027-07-07T23:00:00.000Z');
      const slots = await daySlots(diary, '2027-07-05', '2027-07-08');
      const dates = new Set(slots.map((s) => s.start.slice(0, 10)));
      expect(dates).toEqual(new Set(['2027-07-05', '2027-07-08']));
      expect(slots).toHaveLength(2 * 47); // 00:00 to 23:00 every half hour, twice
      const before = slots.filter((s) => s.start.startsWith('2027-07-05'));
      const after = slots.filter((s) => s.start.startsWith('2027-07-08'));
      expect(utc(before[before.length - 1].start)).toBe('2027-07-05T22:00:00.000Z'); // 23:00 BST
      expect(utc(after[0].start)).toBe('2027-07-07T23:00:00.000Z'); // 00:00 BST on the 8th

      // The same in winter, when local and UTC days coincide.
      const winter = await e2e.api.create(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-12-07', to: '2027-12-07', kind: 'training' });
      expect([winter.from, winter.to].map(utc)).toEqual(['2027-12-07T00:00:00.000Z', '2027-12-08T00:00:00.000Z']);
      expect(await daySlots(diary, '2027-12-07')).toEqual([]);
      expect(await daySlots(diary, '2027-12-08')).toHaveLength(47);
    });

    it('an absence given as instants removes only that stretch', async () => {
      const diary = await createDiary(e2e.api, { type: { durationMinutes: 30 } });
      const exception = await e2e.api.create(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-07-12T10:00:00+01:00', to: '2027-07-12T12:00:00+01:00', kind: 'training' });
      expect(exception.from).toBe('2027-07-12T10:00:00+01:00');
      expect(exception.to).toBe('2027-07-12T12:00:00+01:00');
      const slots = times(await daySlots(diary, '2027-07-12'));
      expect(slots).toHaveLength(16 - 4);
      expect(slots).toEqual(expect.arrayContaining(['09:30', '12:00']));
      for (const gone of ['10:00', '10:30', '11:00', '11:30']) expect(slots).not.toContain(gone);
      const backwards = await e2e.api.post(`/v1/advisers/${diary.adviserId}/exceptions`, { from: '2027-07-13', to: '2027-07-12', kind: 'leave' });
      expect(backwards.status).toBe(400);
      expect(backwards.body.code).toBe('INVALID_PERIOD');
    });
  });

  describe('buffers', () => {
    it('after a 60-minute session with a 15-minute buffer the next slot starts 75 minutes later', async () => {
      const diary = await createDiary(e2e.api, { type: { durationMinutes: 60, bufferMinutes: 15 }, pattern: { weekdays: ['MON'], startTime: '09:00', endTime: '13:00' } });
      expect(times(await daySlots(diary, '2027-06-07'))).toEqual(['09:00', '10:15', '11:30']);
      await book(diary, '2027-06-07T09:00:00+01:00');
      expect(times(await daySlots(diary, '2027-06-07'))).toEqual(['10:15', '11:30']);
      // 10:10 would start inside the buffer after the 09:00 session (busy until 10:15).
      const inBuffer = await e2e.api.post('/v1/bookings', bookingBody(diary, '2027-06-07T10:10:00+01:00'));
      expect(inBuffer.status).toBe(409);
      expect(inBuffer.body.code).toBe('SLOT_TAKEN');
      expect((await e2e.api.post('/v1/bookings', bookingBody(diary, '2027-06-07T10:15:00+01:00'))).status).toBe(201);
      expect(times(await daySlots(diary, '2027-06-07'))).toEqual(['11:30']);

      // A booking late in the morning: earlier slots stay clear of it, buffer included.
      await book(diary, '2027-06-14T11:30:00+01:00');
      expect(times(await daySlots(diary, '2027-06-14'))).toEqual(['09:00', '10:15']);
      const buffered = await e2e.api.post('/v1/bookings', bookingBody(diary, '2027-06-14T10:20:00+01:00'));
      expect(buffered.status).toBe(409);
      expect(buffered.body.code).toBe('SLOT_TAKEN');
    });
  });

  describe('group sessions', () => {
    it('a CV workshop of capacity 8 in a room of 6 offers 6 seats, and 2 bookings leave 4', async () => {
      const diary = await createDiary(e2e.api, { type: { prefix: 'CV_WORKSHOP', durationMinutes: 120, capacity: 8 }, roomCapacity: 6, pattern: { weekdays: ['WED'], startTime: '09:00', endTime: '13:00' } });

      const fresh = await daySlots(diary, '2027-06-09');
      expect(fresh.map((s) => [s.start.slice(11, 16), s.capacity, s.remaining, s.roomId])).toEqual([
        ['09:00', 6, 6, diary.roomId],
        ['11:00', 6, 6, diary.roomId],
      ]);
      const start = '2027-06-09T09:00:00+01:00';
      const first = await book(diary, start, 'CV-1');
      const second = await book(diary, start, 'CV-2');
      expect(first.roomId).toBe(diary.roomId);
      const after = await daySlots(diary, '2027-06-09');
      expect(after.map((s) => [s.start.slice(11, 16), s.capacity, s.remaining])).toEqual([
        ['09:00', 6, 4],
        ['11:00', 6, 6],
      ]);
      expect((await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-09`)).body.bookings.map((b: { id: string }) => b.id).sort()).toEqual([first.id, second.id].sort());

      // Four more fill the room; the seventh is refused and the slot stops being offered.
      for (let i = 3; i <= 6; i++) await book(diary, start, `CV-${i}`);
      const seventh = await e2e.api.post('/v1/bookings', bookingBody(diary, start, 'CV-7'));
      expect(seventh.status).toBe(409);
      expect(seventh.body.code).toBe('SLOT_FULL');
      expect(times(await daySlots(diary, '2027-06-09'))).toEqual(['11:00']);
    });
  });

  describe('slot search', () => {
    it('searches several sites at once, or an adviser across sites', async () => {
      const organisation = await createOrganisation(e2e.api);
      const typeCode = await createType(e2e.api);
      const [s1, s2, s3] = [await createSite(e2e.api), await createSite(e2e.api), await createSite(e2e.api)];
      const [a, b, c] = [await createAdviser(e2e.api, organisation.id, [typeCode]), await createAdviser(e2e.api, organisation.id, [typeCode]), await createAdviser(e2e.api, organisation.id, [typeCode])];
      const mon = { weekdays: ['MON'], startTime: '09:00', endTime: '12:00', appointmentTypes: [typeCode] };
      await createPattern(e2e.api, a.id, { ...mon, siteId: s1.id });
      await createPattern(e2e.api, b.id, { ...mon, siteId: s2.id });
      await createPattern(e2e.api, a.id, { ...mon, weekdays: ['TUE'], siteId: s3.id });
      await createPattern(e2e.api, c.id, { ...mon, siteId: s3.id, startTime: '13:00', endTime: '15:00' });
      const range = { appointmentType: typeCode, from: '2027-06-07', to: '2027-06-08' };

      const twoSites = await searchSlots(e2e.api, { ...range, siteId: [s1.id, s2.id] });
      expect(twoSites).toHaveLength(6);
      expect(new Set(twoSites.map((s) => s.siteId))).toEqual(new Set([s1.id, s2.id]));
      expect(twoSites.filter((s) => s.siteId === s1.id).every((s) => s.adviserId === a.id)).toBe(true);
      expect(twoSites.filter((s) => s.siteId === s2.id).every((s) => s.adviserId === b.id)).toBe(true);
      const starts = twoSites.map((s) => Date.parse(s.start));
      expect(starts).toEqual([...starts].sort((x, y) => x - y));

      const oneSite = await searchSlots(e2e.api, { ...range, siteId: [s3.id] });
      expect(oneSite.map((s) => [s.adviserId, s.start])).toEqual([
        [c.id, '2027-06-07T13:00:00+01:00'],
        [c.id, '2027-06-07T14:00:00+01:00'],
        [a.id, '2027-06-08T09:00:00+01:00'],
        [a.id, '2027-06-08T10:00:00+01:00'],
        [a.id, '2027-06-08T11:00:00+01:00'],
      ]);

      const adviser = await searchSlots(e2e.api, { ...range, adviserId: [a.id] });
      expect(adviser.map((s) => [s.siteId, s.start.slice(0, 16)])).toEqual([
        [s1.id, '2027-06-07T09:00'],
        [s1.id, '2027-06-07T10:00'],
        [s1.id, '2027-06-07T11:00'],
        [s3.id, '2027-06-08T09:00'],
        [s3.id, '2027-06-08T10:00'],
        [s3.id, '2027-06-08T11:00'],
      ]);
      const twoAdvisers = await searchSlots(e2e.api, { ...range, adviserId: [b.id, c.id] });
      expect(new Set(twoAdvisers.map((s) => s.adviserId))).toEqual(new Set([b.id, c.id]));
      expect(twoAdvisers).toHaveLength(5);
      const both = await searchSlots(e2e.api, { ...range, adviserId: [a.id], siteId: [s3.id] });
      expect(both.map((s) => s.start.slice(0, 10))).toEqual(['2027-06-08', '2027-06-08', '2027-06-08']);

      const tooBroad = await e2e.api.get(`/v1/slots?appointmentType=${typeCode}&from=2027-06-07`);
      expect(tooBroad.status).toBe(400);
      expect(tooBroad.body.code).toBe('SEARCH_TOO_BROAD');
    });

    it('refuses ranges that are backwards or too long', async () => {
      const diary = await createDiary(e2e.api);
      const backwards = await e2e.api.get(`/v1/slots?appointmentType=${diary.typeCode}&siteId=${diary.siteId}&from=2027-06-10&to=2027-06-01`);
      expect(backwards.status).toBe(400);
      expect(backwards.body.code).toBe('INVALID_RANGE');
      const long = await e2e.api.get(`/v1/slots?appointmentType=${diary.typeCode}&siteId=${diary.siteId}&from=2027-01-01&to=2027-12-31`);
      expect(long.status).toBe(400);
      expect(long.body.code).toBe('RANGE_TOO_LARGE');
    });

    it("a site's minimum notice keeps slots that start too soon out of search and out of reach", async () => {
      const now = testClock.now();
      const yesterday = new Date(now - 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
      const pattern = { weekdays: ALL_DAYS, startTime: '00:00', endTime: '23:55', validFrom: yesterday };
      const relaxed = await createDiary(e2e.api, { type: { durationMinutes: 30 }, site: { bankHolidays: 'NONE', minNoticeMinutes: 0 }, pattern });
      const strict = await createDiary(e2e.api, { type: { durationMinutes: 30 }, site: { bankHolidays: 'NONE', minNoticeMinutes: 2880 }, pattern });
      const site = await e2e.api.get(`/v1/sites/${strict.siteId}`);
      expect(site.body.minNoticeMinutes).toBe(2880);

      // No "from": search starts now. Slots fall every half hour but 23:30, so the next is within the hour.
      const soon = await searchSlots(e2e.api, { appointmentType: relaxed.typeCode, siteId: [relaxed.siteId] });
      expect(Date.parse(soon[0].start)).toBeGreaterThanOrEqual(now);
      expect(Date.parse(soon[0].start)).toBeLessThan(now + 60 * 60_000);
      // A "from" in the past does not bring the past back.
      const fromYesterday = await searchSlots(e2e.api, { appointmentType: relaxed.typeCode, siteId: [relaxed.siteId], from: yesterday });
      expect(fromYesterday[0].start).toBe(soon[0].start);

      const later = await searchSlots(e2e.api, { appointmentType: strict.typeCode, siteId: [strict.siteId] });
      const notice = now + 2880 * 60_000;
      expect(Date.parse(later[0].start)).toBeGreaterThanOrEqual(notice);
      expect(Date.parse(later[0].start)).toBeLessThan(notice + 60 * 60_000 + 60_000);

      // A time that is in the strict diary but inside its notice cannot be held or booked.
      const inside = soon[2].start;
      const booking = await e2e.api.post('/v1/bookings', bookingBody(strict, inside));
      expect(booking.status).toBe(409);
      expect(booking.body.code).toBe('TOO_SOON');
      const hold = await e2e.api.post('/v1/holds', slotRef(strict, inside));
      expect(hold.status).toBe(409);
      expect(hold.body.code).toBe('TOO_SOON');
      expect((await e2e.api.post('/v1/bookings', bookingBody(strict, later[0].start))).status).toBe(201);
      expect((await e2e.api.post('/v1/bookings', bookingBody(relaxed, inside))).status).toBe(201);
    });
  });
});
