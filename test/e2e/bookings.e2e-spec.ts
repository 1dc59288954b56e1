import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';
import { bookingBody, createAdviser, createDiary, createOrganisation, createPattern, createSite, createType, Diary, fromHold, partnerKey, searchSlots, slotRef, times, utc } from '../support/fixtures';

// Holds, bookings, cancellations and reschedules over real HTTP, and the operational
// endpoints (health, API description).

const DAY = '2027-06-07'; // a Monday, no bank holiday
const at = (time: string, date = DAY) => `${date}T${time}:00+01:00`;
const ALL_DAY = ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'];

describe('bookings (e2e)', () => {
  const e2e = useTestApp();

  const daySlots = (diary: Diary, date = DAY) => searchSlots(e2e.api, { appointmentType: diary.typeCode, siteId: [diary.siteId], from: date, to: date });
  const book = (diary: Diary, start: string, reference?: string) => e2e.api.create('/v1/bookings', bookingBody(diary, start, reference));

  describe('holds', () => {
    it('a hold takes the slot out of search and makes it full for everybody else', async () => {
      const diary = await createDiary(e2e.api);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY);
      const before = testClock.now();
      const hold = await e2e.api.post('/v1/holds', slotRef(diary, at('10:00')));
      expect(hold.status).toBe(201);
      expect(hold.body).toMatchObject({ appointmentType: diary.typeCode, siteId: diary.siteId, adviserId: diary.adviserId, roomId: null, start: at('10:00'), end: at('11:00') });
      const expires = Date.parse(hold.body.expiresAt);
      expect(expires).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1000);
      expect(expires).toBeLessThanOrEqual(testClock.now() + 5 * 60_000 + 1000);

      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '10:00'));
      const direct = await e2e.api.post('/v1/bookings', bookingBody(diary, at('10:00')));
      expect(direct.status).toBe(409);
      expect(direct.body.code).toBe('SLOT_FULL');
      const second = await e2e.api.post('/v1/holds', slotRef(diary, at('10:00')));
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('SLOT_FULL');
    });

    it('DELETE releases a hold and frees the slot', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('11:00')));
      expect(times(await daySlots(diary))).not.toContain('11:00');
      const released = await e2e.api.delete(`/v1/holds/${hold.id}`);
      expect(released.status).toBe(204);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY);
      expect((await e2e.api.post('/v1/bookings', bookingBody(diary, at('11:00')))).status).toBe(201);
    });

    it('an expired hold frees the slot by itself', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('12:00')));
      expect(times(await daySlots(diary))).not.toContain('12:00');
      await e2e.db.expireHold(hold.id);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY);
      const other = await e2e.api.post('/v1/bookings', bookingBody(diary, at('12:00')));
      expect(other.status).toBe(201);
      expect(other.body.start).toBe(at('12:00'));
    });

    it('a live hold books its slot, and only once', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('13:00')));
      const booked = await e2e.api.post('/v1/bookings', fromHold(hold.id, 'HOLD-ONCE'));
      expect(booked.status).toBe(201);
      expect(booked.body).toMatchObject({ status: 'booked', appointmentType: diary.typeCode, siteId: diary.siteId, adviserId: diary.adviserId, start: at('13:00'), end: at('14:00') });
      expect(booked.body.customer.reference).toBe('HOLD-ONCE');
      expect(times(await daySlots(diary))).not.toContain('13:00');

      const again = await e2e.api.post('/v1/bookings', fromHold(hold.id, 'HOLD-TWICE'));
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('HOLD_USED');
      const release = await e2e.api.delete(`/v1/holds/${hold.id}`);
      expect(release.status).toBe(409);
      expect(release.body.code).toBe('HOLD_USED');
      const sheet = await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`);
      expect(sheet.body.bookings.map((b: { id: string }) => b.id)).toEqual([booked.body.id]);
    });

    it("another organisation's hold cannot be used or released", async () => {
      const diary = await createDiary(e2e.api);
      const a = await partnerKey(e2e.api);
      const b = await partnerKey(e2e.api);
      const hold = await e2e.api.as(a.key).create('/v1/holds', slotRef(diary, at('09:00')));
      const use = await e2e.api.as(b.key).post('/v1/bookings', fromHold(hold.id));
      expect(use.status).toBe(404);
      expect(use.body.code).toBe('HOLD_NOT_FOUND');
      expect((await e2e.api.as(b.key).delete(`/v1/holds/${hold.id}`)).status).toBe(404);
      expect((await e2e.api.as(a.key).post('/v1/bookings', fromHold(hold.id))).status).toBe(201);
    });

    it('an expired hold still books its slot if nobody took it meanwhile', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('14:00')));
      await e2e.db.expireHold(hold.id);
      const booked = await e2e.api.post('/v1/bookings', fromHold(hold.id, 'LATE-BUT-FREE'));
      expect(booked.status).toBe(201);
      expect(booked.body).toMatchObject({ status: 'booked', adviserId: diary.adviserId, start: at('14:00'), end: at('15:00') });
      expect(times(await daySlots(diary))).not.toContain('14:00');
    });

    it('an expired hold whose slot somebody else took is refused with 409, and nothing is booked', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('15:00')));
      await e2e.db.expireHold(hold.id);
      const taker = await book(diary, at('15:00'), 'TAKER');
      const late = await e2e.api.post('/v1/bookings', fromHold(hold.id, 'TOO-LATE'));
      expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: expect.stringMatching(/^(SLOT_FULL|SLOT_TAKEN)$/) });
      const sheet = await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`);
      expect(sheet.body.bookings.map((b: { id: string }) => b.id)).toEqual([taker.id]);
    });

    it('an expired hold that was turned into a booking cannot be used again (409 HOLD_USED)', async () => {
      const diary = await createDiary(e2e.api);
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('16:00')));
      await e2e.db.expireHold(hold.id);
      expect((await e2e.api.post('/v1/bookings', fromHold(hold.id, 'FIRST'))).status).toBe(201);
      const again = await e2e.api.post('/v1/bookings', fromHold(hold.id, 'SECOND'));
      expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'HOLD_USED' });
    });
  });

  describe('cancel', () => {
    it('frees the slot, keeps the record, and cannot be done twice', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'));
      expect(times(await daySlots(diary))).not.toContain('10:00');
      const cancelled = await e2e.api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'customer', reason: 'Started a job' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ id: booking.id, status: 'cancelled', cancelledBy: 'customer', cancelReason: 'Started a job', start: at('10:00') });
      expect(Date.parse(cancelled.body.cancelledAt)).toBeGreaterThan(testClock.now() - 60_000);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY);
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('cancelled');

      const twice = await e2e.api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'service', reason: 'Again' });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('BOOKING_CANCELLED');
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ cancelledBy: 'customer', cancelReason: 'Started a job' });

      expect((await e2e.api.post('/v1/bookings', bookingBody(diary, at('10:00')))).status).toBe(201);
      const move = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('12:00')));
      expect(move.status).toBe(409);
      expect(move.body.code).toBe('BOOKING_CANCELLED');
    });
  });

  describe('reschedule', () => {
    it('moves the booking: same id, rescheduleCount 1, the old slot free again', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'), 'MOVER');
      const moved = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('14:00')));
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: booking.id, status: 'booked', start: at('14:00'), end: at('15:00'), rescheduleCount: 1, needsRebooking: false });
      expect(moved.body.customer).toEqual(booking.customer);
      expect(moved.body.createdAt).toBe(booking.createdAt);
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toEqual(moved.body);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '14:00'));
      expect((await e2e.api.post('/v1/bookings', bookingBody(diary, at('10:00')))).status).toBe(201);

      const again = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('09:00', '2027-06-08')));
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ start: at('09:00', '2027-06-08'), rescheduleCount: 2 });
      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '10:00'));
    });

    it('can move 30 minutes later, into part of its own old time', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'));
      const moved = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('10:30')));
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: booking.id, start: at('10:30'), end: at('11:30'), rescheduleCount: 1 });
      // Slots pack from 09:00 and jump past the session at 10:30-11:30.
      expect(times(await daySlots(diary))).toEqual(['09:00', '11:30', '12:30', '13:30', '14:30', '15:30']);
      const back = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('10:00')));
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ start: at('10:00'), rescheduleCount: 2 });
      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '10:00'));
    });

    it('is atomic: when the target cannot be had, the booking stands exactly as it was', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'), 'STAYS');
      await book(diary, at('14:00'), 'OTHER');
      const before = await e2e.api.get(`/v1/bookings/${booking.id}`);
      const attempts: [string, number, string][] = [
        [at('14:00'), 409, 'SLOT_FULL'], // the same slot, occupied
        [at('13:30'), 409, 'SLOT_TAKEN'], // overlaps the 14:00 booking
        [at('18:00'), 409, 'SLOT_NOT_IN_DIARY'], // after hours
        [at('10:00', '2027-06-12'), 409, 'SLOT_NOT_IN_DIARY'], // a Saturday
        [at('10:00', '2027-05-31'), 409, 'SLOT_NOT_IN_DIARY'], // a bank holiday
        [at('10:02'), 400, 'INVALID_START'],
      ];
      for (const [start, status, code] of attempts) {
        const response = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, start));
        expect({ start, status: response.status, code: response.body.code }).toEqual({ start, status, code });
        expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toEqual(before.body);
      }
      // The seat is still its own: nobody else can book 10:00.
      const taken = await e2e.api.post('/v1/bookings', bookingBody(diary, at('10:00')));
      expect(taken.status).toBe(409);
      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '10:00' && t !== '14:00'));
    });

    it('is atomic when the target is held by somebody else', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('09:00'));
      await e2e.api.create('/v1/holds', slotRef(diary, at('11:00')));
      const before = await e2e.api.get(`/v1/bookings/${booking.id}`);
      const response = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('11:00')));
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('SLOT_FULL');
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toEqual(before.body);
    });

    it('to the slot it is already in is 409 SAME_SLOT, however the time is written', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'));
      for (const start of [at('10:00'), '2027-06-07T09:00:00Z', '2027-06-07T09:00:00.000Z']) {
        const response = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, start));
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('SAME_SLOT');
      }
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.rescheduleCount).toBe(0);
    });

    it('via a hold', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('10:00'));
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('15:00')));
      const moved = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, { holdId: hold.id });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: booking.id, start: at('15:00'), end: at('16:00'), rescheduleCount: 1 });
      expect(times(await daySlots(diary))).toEqual(ALL_DAY.filter((t) => t !== '15:00'));
      const reuse = await e2e.api.post('/v1/bookings', fromHold(hold.id));
      expect(reuse.status).toBe(409);
      expect(reuse.body.code).toBe('HOLD_USED');
    });

    it('to another adviser at another site', async () => {
      const first = await createDiary(e2e.api);
      const second = await createDiary(e2e.api);
      const booking = await book(first, at('10:00'));
      // The second diary's type is its own, so the move changes type too.
      const moved = await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(second, at('10:00')));
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ adviserId: second.adviserId, siteId: second.siteId, appointmentType: second.typeCode, start: at('10:00') });
      expect(times(await daySlots(first))).toEqual(ALL_DAY);
      expect(times(await daySlots(second))).toEqual(ALL_DAY.filter((t) => t !== '10:00'));
    });
  });

  describe('day sheets and customer histories', () => {
    it('list a local day of a site or an adviser in time order, and a customer across days', async () => {
      const organisation = await createOrganisation(e2e.api);
      const hour = await createType(e2e.api);
      const site = await createSite(e2e.api, { bankHolidays: 'NONE' });
      const elsewhere = await createSite(e2e.api);
      const a = await createAdviser(e2e.api, organisation.id, [hour]);
      const b = await createAdviser(e2e.api, organisation.id, [hour]);
      await createPattern(e2e.api, a.id, { siteId: site.id, weekdays: ['MON'], startTime: '09:00', endTime: '12:00', appointmentTypes: [hour] });
      await createPattern(e2e.api, a.id, { siteId: elsewhere.id, weekdays: ['MON'], startTime: '13:00', endTime: '17:00', appointmentTypes: [hour] });
      await createPattern(e2e.api, b.id, { siteId: site.id, weekdays: ['SUN', 'MON', 'TUE'], startTime: '00:00', endTime: '23:55', appointmentTypes: [hour] });
      const at$ = (adviserId: string, siteId: string) => ({ organisationId: organisation.id, adviserId, siteId, typeCode: hour });
      const aHere = at$(a.id, site.id);
      const aThere = at$(a.id, elsewhere.id);
      const bHere = at$(b.id, site.id);

      // Made out of order on purpose. 00:30 BST on the 8th is still the 7th in UTC, and
      // 00:30 BST on the 7th is the 6th in UTC: the sheet goes by the local day.
      const b2230 = await book(bHere, at('22:30'), 'REGULAR');
      const aThere14 = await book(aThere, at('14:00'), 'REGULAR');
      const nextDay = await book(bHere, at('00:30', '2027-06-08'));
      const a11 = await book(aHere, at('11:00'));
      const b0030 = await book(bHere, at('00:30'), 'REGULAR');
      const b09 = await book(bHere, at('09:00'));
      const a09 = await book(aHere, at('09:00'));
      const dayBefore = await book(bHere, at('22:00', '2027-06-06'));

      const ids = (response: { body: { bookings: { id: string }[] } }) => response.body.bookings.map((x) => x.id);
      const nineOClock = [a09, b09].sort((x, y) => x.adviserId.localeCompare(y.adviserId)).map((x) => x.id);

      const siteSheet = await e2e.api.get(`/v1/bookings?siteId=${site.id}&date=2027-06-07`);
      expect(siteSheet.status).toBe(200);
      expect(ids(siteSheet)).toEqual([b0030.id, ...nineOClock, a11.id, b2230.id]);
      expect(siteSheet.body.bookings.map((x: { start: string }) => x.start.slice(0, 10))).toEqual(Array(5).fill('2027-06-07'));
      expect(ids(await e2e.api.get(`/v1/bookings?siteId=${site.id}&date=2027-06-08`))).toEqual([nextDay.id]);
      expect(ids(await e2e.api.get(`/v1/bookings?siteId=${site.id}&date=2027-06-06`))).toEqual([dayBefore.id]);
      expect(ids(await e2e.api.get(`/v1/bookings?siteId=${elsewhere.id}&date=2027-06-07`))).toEqual([aThere14.id]);

      expect(ids(await e2e.api.get(`/v1/bookings?adviserId=${a.id}&date=2027-06-07`))).toEqual([a09.id, a11.id, aThere14.id]);
      expect(ids(await e2e.api.get(`/v1/bookings?adviserId=${b.id}&date=2027-06-07`))).toEqual([b0030.id, b09.id, b2230.id]);
      expect(ids(await e2e.api.get(`/v1/bookings?adviserId=${b.id}&date=2027-06-09`))).toEqual([]);

      expect(ids(await e2e.api.get('/v1/bookings?customerReference=REGULAR'))).toEqual([b0030.id, aThere14.id, b2230.id]);
      expect(ids(await e2e.api.get('/v1/bookings?customerReference=NOBODY-AT-ALL'))).toEqual([]);
    });

    it('a day sheet on the day the clocks go back covers all 25 hours of it', async () => {
      const allDay = await createDiary(e2e.api, { pattern: { weekdays: ['SAT', 'SUN', 'MON'], startTime: '00:00', endTime: '23:55' }, site: { bankHolidays: 'NONE' } });
      // 00:00 BST, the first 01:00 (BST), the second 01:00 (GMT) and 22:00 GMT on Sunday 31 October,
      // then 22:30 BST on the Saturday and 00:00 GMT on the Monday either side.
      const sunday = ['2027-10-30T23:00:00Z', '2027-10-31T00:00:00Z', '2027-10-31T01:00:00Z', '2027-10-31T22:00:00Z'];
      const made = [];
      for (const start of [...sunday].reverse()) made.unshift(await book(allDay, start));
      const saturday = await book(allDay, '2027-10-30T21:30:00Z');
      const monday = await book(allDay, '2027-11-01T00:00:00Z');
      const sheet = await e2e.api.get(`/v1/bookings?siteId=${allDay.siteId}&date=2027-10-31`);
      expect(sheet.body.bookings.map((x: { id: string }) => x.id)).toEqual(made.map((x) => x.id));
      expect(sheet.body.bookings.map((x: { start: string }) => x.start)).toEqual([
        '2027-10-31T00:00:00+01:00',
        '2027-10-31T01:00:00+01:00',
        '2027-10-31T01:00:00+00:00',
        '2027-10-31T22:00:00+00:00',
      ]);
      expect((await e2e.api.get(`/v1/bookings?siteId=${allDay.siteId}&date=2027-10-30`)).body.bookings.map((x: { id: string }) => x.id)).toEqual([saturday.id]);
      expect((await e2e.api.get(`/v1/bookings?adviserId=${allDay.adviserId}&date=2027-11-01`)).body.bookings.map((x: { id: string }) => x.id)).toEqual([monday.id]);
    });

    it('a partner sees only its own bookings in a day sheet and a customer history', async () => {
      const diary = await createDiary(e2e.api);
      const a = await partnerKey(e2e.api);
      const b = await partnerKey(e2e.api);
      const mine = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('09:00'), 'SHARED-REF'));
      const theirs = await e2e.api.as(b.key).create('/v1/bookings', bookingBody(diary, at('10:00'), 'SHARED-REF'));
      const sheet = await e2e.api.as(a.key).get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`);
      expect(sheet.body.bookings.map((x: { id: string }) => x.id)).toEqual([mine.id]);
      expect((await e2e.api.as(b.key).get('/v1/bookings?customerReference=SHARED-REF')).body.bookings.map((x: { id: string }) => x.id)).toEqual([theirs.id]);
      expect((await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`)).body.bookings.map((x: { id: string }) => x.id)).toEqual([mine.id, theirs.id]);
    });

    it('needs exactly one filter, and a date with siteId or adviserId', async () => {
      const diary = await createDiary(e2e.api);
      for (const query of [`siteId=${diary.siteId}`, `siteId=${diary.siteId}&adviserId=${diary.adviserId}&date=${DAY}`, '', `customerReference=X&date=${DAY}`]) {
        const response = await e2e.api.get(`/v1/bookings?${query}`);
        expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'INVALID_FILTER' });
      }
    });
  });

  describe('customers', () => {
    it('stores the mobile number in E.164', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, at('09:00'), 'MOBILE-1');
      expect(booking.customer.mobile).toBe('+447911123456');
      const stored = await e2e.db.query('SELECT mobile FROM customers WHERE reference = $1', ['MOBILE-1']);
      expect(stored).toEqual([{ mobile: '+447911123456' }]);
      for (const [written, reference] of [['+44 7911 123456', 'MOBILE-2'], ['(07911) 123-456', 'MOBILE-3']]) {
        const body = bookingBody(diary, at(reference === 'MOBILE-2' ? '10:00' : '11:00'), reference);
        const response = await e2e.api.post('/v1/bookings', { ...body, customer: { ...body.customer, mobile: written } });
        expect(response.status).toBe(201);
        expect(response.body.customer.mobile).toBe('+447911123456');
      }
      const landline = bookingBody(diary, at('12:00'));
      const refused = await e2e.api.post('/v1/bookings', { ...landline, customer: { ...landline.customer, mobile: '020 7946 0000' } });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('INVALID_MOBILE');
    });
  });

  describe('operations', () => {
    it('GET /health reports the database and redis up', async () => {
      const response = await e2e.api.as(null).get('/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' }, queueBackend: 'redis' });
    });

    it('GET /docs-json lists every /v1 path the server routes', async () => {
      const response = await e2e.api.as(null).get('/docs-json');
      expect(response.status).toBe(200);
      const documented = new Set(
        Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)),
      );
      const expected = [
        'POST /v1/organisations',
        'POST /v1/organisations/{id}/api-keys',
        'GET /v1/organisations/{id}/api-keys',
        'DELETE /v1/organisations/{id}/api-keys/{keyId}',
        'GET /v1/organisations/{id}/rate-limit',
        'PUT /v1/organisations/{id}/rate-limit',
        'DELETE /v1/organisations/{id}/rate-limit',
        'POST /v1/sites',
        'GET /v1/sites',
        'GET /v1/sites/{id}',
        'PUT /v1/sites/{id}/location',
        'POST /v1/sites/{id}/rooms',
        'GET /v1/sites/{id}/rooms',
        'POST /v1/sites/{id}/closures',
        'GET /v1/sites/{id}/free-now',
        'POST /v1/appointment-types',
        'GET /v1/appointment-types',
        'POST /v1/advisers',
        'GET /v1/advisers/{id}',
        'POST /v1/advisers/{id}/patterns',
        'GET /v1/advisers/{id}/patterns',
        'POST /v1/advisers/{id}/exceptions',
        'GET /v1/slots',
        'POST /v1/holds',
        'DELETE /v1/holds/{id}',
        'POST /v1/bookings',
        'GET /v1/bookings',
        'GET /v1/bookings/{id}',
        'POST /v1/bookings/{id}/cancel',
        'POST /v1/bookings/{id}/reschedule',
        'POST /v1/bookings/{id}/links/revoke',
        'POST /v1/bookings/{id}/release',
        'GET /v1/bookings/{id}/messages',
        'GET /v1/sites/{id}/reminder-policy',
        'PUT /v1/sites/{id}/reminder-policy',
        'GET /v1/appointment-types/{code}/templates',
        'PUT /v1/appointment-types/{code}/templates',
        'POST /v1/webhooks/twilio/status',
        'POST /v1/bookings/{id}/outcome',
        'GET /v1/bookings/{id}/history',
        'GET /v1/sites/{id}/outcomes-due',
        'GET /v1/sites/{id}/attendance-policy',
        'PUT /v1/sites/{id}/attendance-policy',
        'GET /v1/insights/dna',
        'POST /v1/history/import',
        'GET /v1/models/show-probability',
        'POST /v1/models/show-probability/train',
        'GET /v1/sites/{id}/overbooking-policy',
        'PUT /v1/sites/{id}/overbooking-policy',
        'GET /v1/sites/{id}/overbooking-policy/changes',
        'POST /v1/sites/{id}/overbooking/simulate',
        'GET /v1/sites/{id}/day-sheet',
        'POST /v1/webhooks/twilio/sms',
        'GET /v1/sites/{id}/follow-ups',
        'POST /v1/sites/{id}/follow-ups/{followUpId}/resolve',
        'GET /v1/sites/{id}/health',
        'POST /v1/waitlist',
        'GET /v1/waitlist',
        'GET /v1/waitlist/{id}',
        'DELETE /v1/waitlist/{id}',
        'POST /v1/staff',
        'POST /v1/webhooks/endpoints',
        'GET /v1/webhooks/endpoints',
        'DELETE /v1/webhooks/endpoints/{id}',
        'POST /v1/webhooks/endpoints/{id}/rotate-secret',
        'POST /v1/webhooks/endpoints/{id}/enable',
        'GET /v1/webhooks/endpoints/{id}/deliveries',
        'POST /v1/webhooks/endpoints/{id}/deliveries/{deliveryId}/replay',
      ];
      expect([...documented].filter((op) => op.includes(' /v1/')).sort()).toEqual([...expected].sort());

      // And every route the server actually answers under /v1 is among them.
      const router = e2e.app.app.getHttpAdapter().getInstance().router as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
      const routed = router.stack
        .filter((layer) => layer.route?.path.startsWith('/v1/'))
        .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`));
      expect(routed.length).toBeGreaterThanOrEqual(expected.length);
      for (const op of routed) expect(documented).toContain(op);
    });

    it('search reports instants with the site offset, whatever offset a booking was made with', async () => {
      const diary = await createDiary(e2e.api);
      const booking = await book(diary, '2027-06-07T08:00:00Z');
      expect(booking.start).toBe(at('09:00'));
      expect(utc(booking.end)).toBe('2027-06-07T09:00:00.000Z');
    });
  });
});
