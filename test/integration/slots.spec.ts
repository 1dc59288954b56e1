import fc from 'fast-check';
import { SeatService } from '../../src/bookings/seat.service';
import { AppError } from '../../src/common/errors/app-error';
import { MINUTE } from '../../src/common/time/local-time';
import { CreatePatternDto } from '../../src/diaries/dto/diaries.dto';
import { CreateSiteDto } from '../../src/sites/dto/sites.dto';
import { SlotView } from '../../src/slots/dto/slots.dto';
import { ADMIN, serviceBooking, serviceDiary, useTestContext } from '../support/context';
import { adviserBody, BuiltDiary, Diary, organisationBody, patternBody, roomBody, siteBody, slotRef, times, typeBody, TypeOptions } from '../support/fixtures';

// SlotsService against real PostgreSQL with "now" fixed, so that the past, minimum notice
// and free-now are exact.

const t = (iso: string) => Date.parse(iso);

describe('SlotsService (integration)', () => {
  const ctx = useTestContext();
  let open: BuiltDiary; // no minimum notice
  let strict: BuiltDiary; // 120 minutes' notice
  let allDay: BuiltDiary; // 00:00-23:55 every day, no bank holidays

  beforeAll(async () => {
    open = await serviceDiary(ctx);
    strict = await serviceDiary(ctx, { site: { minNoticeMinutes: 120 } });
    allDay = await serviceDiary(ctx, { type: { durationMinutes: 30 }, site: { bankHolidays: 'NONE' }, pattern: { weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], startTime: '00:00', endTime: '23:55' } });
  });

  const day = (diary: BuiltDiary, date: string, now: number) => ctx.slots.search({ appointmentType: diary.typeCode, siteId: [diary.siteId], from: date, to: date }, now);

  describe('search', () => {
    it('leaves out slots that have started', async () => {
      expect(times(await day(open, '2027-06-07', t('2027-06-07T09:30:00+01:00')))).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(times(await day(open, '2027-06-07', t('2027-06-07T10:00:00+01:00')))).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(times(await day(open, '2027-06-07', t('2027-06-07T10:00:00.001+01:00')))).toEqual(['11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(await day(open, '2027-06-07', t('2027-06-08T08:00:00+01:00'))).toEqual([]);
    });

    it("applies the site's minimum notice to the exact minute", async () => {
      expect(times(await day(strict, '2027-06-07', t('2027-06-07T09:30:00+01:00')))).toEqual(['12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(times(await day(strict, '2027-06-07', t('2027-06-07T10:00:00+01:00')))).toEqual(['12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(times(await day(strict, '2027-06-07', t('2027-06-07T10:01:00+01:00')))).toEqual(['13:00', '14:00', '15:00', '16:00']);
      // The notice runs over into the next day.
      expect(times(await day(strict, '2027-06-08', t('2027-06-07T23:30:00+01:00')))).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(times(await day(strict, '2027-06-08', t('2027-06-08T07:30:00+01:00')))).toEqual(['10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    });

    it('searches 14 days from now by default', async () => {
      const slots = await ctx.slots.search({ appointmentType: open.typeCode, siteId: [open.siteId] }, t('2027-06-07T00:00:00+01:00'));
      expect(slots).toHaveLength(10 * 8);
      expect(slots[0].start).toBe('2027-06-07T09:00:00+01:00');
      expect(slots[slots.length - 1].start).toBe('2027-06-18T16:00:00+01:00');
      expect(slots.every((s) => s.adviserId === open.adviserId && s.siteId === open.siteId && s.capacity === 1 && s.remaining === 1)).toBe(true);
    });

    it('keeps to the same wall-clock times across the clock changes', async () => {
      const now = t('2027-06-01T00:00:00Z');
      const autumn = await ctx.slots.search({ appointmentType: open.typeCode, adviserId: [open.adviserId], from: '2027-10-29', to: '2027-11-01' }, now);
      expect(autumn.filter((s) => s.start.startsWith('2027-10-29')).map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(['08:00', '09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00']);
      expect(autumn.filter((s) => s.start.startsWith('2027-11-01')).map((s) => new Date(s.start).toISOString().slice(11, 16))).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
      expect(autumn).toHaveLength(16);
    });

    it('refuses searches without a site or adviser, backwards, or too long', async () => {
      const now = t('2027-01-01T00:00:00Z');
      await expect(ctx.slots.search({ appointmentType: open.typeCode }, now)).rejects.toMatchObject({ status: 400, code: 'SEARCH_TOO_BROAD' });
      await expect(ctx.slots.search({ appointmentType: open.typeCode, siteId: [open.siteId], from: '2027-06-10', to: '2027-06-09' }, now)).rejects.toMatchObject({ status: 400, code: 'INVALID_RANGE' });
      // MAX_SEARCH_DAYS is 92: 1 January to 2 April inclusive is exactly that, a day more is too many.
      expect(await ctx.slots.search({ appointmentType: open.typeCode, siteId: [open.siteId], from: '2027-01-01', to: '2027-04-02' }, now)).toHaveLength(63 * 8); // 65 weekdays from 4 January (the pattern's start) less Good Friday and Easter Monday
      await expect(ctx.slots.search({ appointmentType: open.typeCode, siteId: [open.siteId], from: '2027-01-01', to: '2027-04-03' }, now)).rejects.toMatchObject({ status: 400, code: 'RANGE_TOO_LARGE' });
      await expect(ctx.slots.search({ appointmentType: 'NO_SUCH_TYPE', siteId: [open.siteId] }, now)).rejects.toMatchObject({ status: 422, code: 'UNKNOWN_APPOINTMENT_TYPE' });
    });
  });

  describe('free now, at a fixed instant', () => {
    const freeNow = (diary: BuiltDiary, now: string) => ctx.slots.freeNow(diary.siteId, diary.typeCode, t(now));

    it('offers a session from the next five-minute mark', async () => {
      expect(await freeNow(open, '2027-06-08T10:02:30+01:00')).toEqual([
        { siteId: open.siteId, adviserId: open.adviserId, roomId: null, start: '2027-06-08T10:05:00+01:00', end: '2027-06-08T11:05:00+01:00', capacity: 1, remaining: 1, overbook: false, overbookRisk: null },
      ]);
      expect((await freeNow(open, '2027-06-08T10:05:00+01:00'))[0].start).toBe('2027-06-08T10:05:00+01:00');
      expect((await freeNow(open, '2027-06-08T10:05:00.001+01:00'))[0].start).toBe('2027-06-08T10:10:00+01:00');
      expect((await freeNow(open, '2027-11-01T09:01:00Z'))[0].start).toBe('2027-11-01T09:05:00+00:00');
    });

    it('only when the whole session fits in the diary', async () => {
      expect((await freeNow(open, '2027-06-08T15:58:00+01:00'))[0].start).toBe('2027-06-08T16:00:00+01:00');
      expect(await freeNow(open, '2027-06-08T16:01:00+01:00')).toEqual([]);
      expect(await freeNow(open, '2027-06-08T08:54:00+01:00')).toEqual([]);
      expect((await freeNow(open, '2027-06-08T08:56:00+01:00'))[0].start).toBe('2027-06-08T09:00:00+01:00');
    });

    it('is empty on weekends, bank holidays, inside the minimum notice, and across midnight', async () => {
      expect(await freeNow(open, '2027-06-12T10:00:00+01:00')).toEqual([]); // Saturday
      expect(await freeNow(open, '2027-05-31T10:00:00+01:00')).toEqual([]); // Spring bank holiday
      expect(await freeNow(strict, '2027-06-08T10:00:00+01:00')).toEqual([]);
      expect(await freeNow(allDay, '2027-06-08T22:00:00+01:00')).toHaveLength(1);
      expect(await freeNow(allDay, '2027-06-08T23:56:00+01:00')).toEqual([]); // the next mark is tomorrow
    });

    it('steps round what is booked and who is away', async () => {
      const diary = await serviceDiary(ctx, { advisers: 2 });
      const [a, b] = diary.adviserIds;
      const now = t('2027-06-09T10:02:00+01:00');
      const both = await ctx.slots.freeNow(diary.siteId, diary.typeCode, now);
      expect(new Set(both.map((s) => s.adviserId))).toEqual(new Set([a, b]));

      await ctx.bookings.book(ADMIN, serviceBooking({ ...diary, adviserId: a }, '2027-06-09T10:05:00+01:00'), undefined, now);
      expect((await ctx.slots.freeNow(diary.siteId, diary.typeCode, now)).map((s) => s.adviserId)).toEqual([b]);
      // Half an hour on, the 10:05-11:05 session still stands in the way; at 11:03 it does not.
      expect((await ctx.slots.freeNow(diary.siteId, diary.typeCode, t('2027-06-09T10:32:00+01:00'))).map((s) => s.adviserId)).toEqual([b]);
      expect(new Set((await ctx.slots.freeNow(diary.siteId, diary.typeCode, t('2027-06-09T11:03:00+01:00'))).map((s) => s.adviserId))).toEqual(new Set([a, b]));

      await ctx.diaries.createException(b, { from: '2027-06-09T10:00:00+01:00', to: '2027-06-09T10:30:00+01:00', kind: 'training' });
      expect(await ctx.slots.freeNow(diary.siteId, diary.typeCode, now)).toEqual([]);
      expect((await ctx.slots.freeNow(diary.siteId, diary.typeCode, t('2027-06-09T12:00:00+01:00'))).length).toBe(2);
    });
  });

  describe('every slot offered can be booked (issue 13)', () => {
    const DATE = '2027-06-07'; // a Monday
    const on = (time: string) => `${DATE}T${time}:00+01:00`;

    /** One Monday of a diary over sites and rooms; rooms and patterns name sites, rooms and advisers by their index. */
    interface DiarySpec {
      type: TypeOptions;
      sites: number;
      rooms?: { site: number; capacity: number }[];
      patterns: { adviser: number; site: number; room?: number; startTime: string; endTime: string }[];
    }
    interface SpecDiary {
      organisationId: string;
      typeCode: string;
      siteIds: string[];
      adviserIds: string[];
    }

    const buildDiary = async (spec: DiarySpec): Promise<SpecDiary> => {
      const organisation = await ctx.partners.createOrganisation(organisationBody());
      const type = typeBody(spec.type);
      await ctx.diaries.createType(type);
      const siteIds: string[] = [];
      for (let i = 0; i < spec.sites; i++) siteIds.push((await ctx.sites.create(siteBody() as CreateSiteDto)).id);
      const roomIds: string[] = [];
      for (const room of spec.rooms ?? []) roomIds.push((await ctx.sites.createRoom(siteIds[room.site], roomBody(room.capacity))).id);
      const adviserIds: string[] = [];
      for (let i = 0; i <= Math.max(...spec.patterns.map((p) => p.adviser)); i++) adviserIds.push((await ctx.diaries.createAdviser(adviserBody(organisation.id, [type.code]))).id);
      for (const p of spec.patterns) {
        const body = patternBody({ siteId: siteIds[p.site], roomId: p.room === undefined ? undefined : roomIds[p.room], weekdays: ['MON'], startTime: p.startTime, endTime: p.endTime, validFrom: DATE, validTo: DATE, appointmentTypes: [type.code] });
        await ctx.diaries.createPattern(adviserIds[p.adviser], body as CreatePatternDto);
      }
      return { organisationId: organisation.id, typeCode: type.code, siteIds, adviserIds };
    };
    /** The diary of one of the advisers at one of the sites, as a booking names it. */
    const part = (diary: SpecDiary, site: number, adviser: number): Diary => ({ organisationId: diary.organisationId, typeCode: diary.typeCode, siteId: diary.siteIds[site], adviserId: diary.adviserIds[adviser] });
    const book = (diary: SpecDiary, site: number, adviser: number, time: string, now: number) => ctx.bookings.book(ADMIN, serviceBooking(part(diary, site, adviser), on(time)), undefined, now);

    it("offers and books the time another adviser's lapsed hold leaves in a shared room", async () => {
      // The room is the second adviser's until 12:00 and the first's from then; a session
      // of the second's at 11:00 keeps it, with its buffer, until 12:15.
      const diary = await buildDiary({
        type: { bufferMinutes: 15 },
        sites: 1,
        rooms: [{ site: 0, capacity: 1 }],
        patterns: [
          { adviser: 0, site: 0, room: 0, startTime: '12:00', endTime: '15:00' },
          { adviser: 1, site: 0, room: 0, startTime: '09:00', endTime: '12:00' },
        ],
      });
      const held = t('2027-06-01T09:00:00Z');
      const lapsed = held + (ctx.config.HOLD_MINUTES + 1) * MINUTE;
      await ctx.bookings.createHold(ADMIN, slotRef(part(diary, 0, 1), on('11:00')), held);
      const firstAdviserAt = async (now: number) => times(await ctx.slots.search({ appointmentType: diary.typeCode, adviserId: [diary.adviserIds[0]], from: DATE, to: DATE }, now));
      expect(await firstAdviserAt(held)).toEqual(['12:15', '13:30']);
      expect(await firstAdviserAt(lapsed)).toEqual(['12:00', '13:15']);
      expect((await book(diary, 0, 0, '12:00', lapsed)).booking.start).toBe(on('12:00'));
      expect(await ctx.db.count('sessions', 'adviser_id = $1', [diary.adviserIds[1]])).toBe(0);
    });

    it("keeps clear of the adviser's buffer running over from a session at another site", async () => {
      const diary = await buildDiary({
        type: { bufferMinutes: 15 },
        sites: 2,
        patterns: [
          { adviser: 0, site: 1, startTime: '09:00', endTime: '12:00' },
          { adviser: 0, site: 0, startTime: '12:00', endTime: '15:00' },
        ],
      });
      const now = t('2027-06-01T09:00:00Z');
      await book(diary, 1, 0, '11:00', now);
      expect(await ctx.slots.freeNow(diary.siteIds[0], diary.typeCode, t(on('11:58')))).toEqual([]);
      const slots = await ctx.slots.search({ appointmentType: diary.typeCode, siteId: [diary.siteIds[0]], from: DATE, to: DATE }, now);
      expect(times(slots)).toEqual(['12:15', '13:30']);
      for (const slot of slots) await book(diary, 0, 0, slot.start.slice(11, 16), now);
    });

    it('books every slot it offers, whatever the diary (property)', async () => {
      const seats = ctx.module.get(SeatService);
      const setUpAt = t('2027-06-01T09:00:00Z');
      const searchAt = setUpAt + (ctx.config.HOLD_MINUTES + 1) * MINUTE;
      const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      const ROLLED_BACK = new Error('rolled back');
      /** The code a booking of the slot would be refused with, found in a transaction that is then rolled back; null if it would be booked. */
      const refusal = async (typeCode: string, slot: SlotView): Promise<string | null> => {
        const outcome = await ctx.dataSource
          .transaction(async (manager) => {
            await seats.lockForSeats(manager, [slot.siteId], [slot.adviserId]);
            await seats.take(manager, { appointmentType: typeCode, siteId: slot.siteId, adviserId: slot.adviserId, start: slot.start }, searchAt);
            throw ROLLED_BACK;
          })
          .catch((error: unknown) => error);
        if (outcome === ROLLED_BACK) return null;
        if (outcome instanceof AppError) return outcome.code;
        throw outcome;
      };
      const action = fc.record({
        adviser: fc.constantFrom(0, 1),
        window: fc.constantFrom(0, 1),
        // From the window's start or back from its end, mostly close to it: where one
        // adviser's time in the room, or at a site, meets the next.
        from: fc.constantFrom('start', 'end'),
        offset: fc.oneof(fc.constantFrom(0, 5, 10), fc.integer({ min: 0, max: 30 }).map((i) => i * 5)),
        // Lapsed holds leave empty sessions; a cancelled booking does too once the hold
        // sharing its group session lapses.
        kind: fc.constantFrom('booking', 'lapsed hold', 'live hold', 'cancelled booking'),
      });
      const shape = fc.record({
        type: fc.record({ durationMinutes: fc.constantFrom(30, 45, 60), bufferMinutes: fc.constantFrom(0, 10, 15, 30), capacity: fc.constantFrom(1, 2) }),
        twoSites: fc.boolean(),
        sharedRoom: fc.constantFrom(true, true, false),
        roomCapacity: fc.constantFrom(1, 8),
        // Where the advisers change over: in the room at the first site, and between sites.
        changeover: fc.integer({ min: 0, max: 12 }).map((i) => 11 * 60 + i * 5),
        gap: fc.constantFrom(0, 5, 10, 30),
        actions: fc.array(action, { maxLength: 8 }),
      });
      await fc.assert(
        fc.asyncProperty(shape, async (c) => {
          // The first adviser is at the second site before the changeover and at the first
          // site after it, the second adviser the other way round; at the first site both
          // may use one room, which changes hands at the changeover.
          const [before, after] = [c.changeover - 150, c.changeover + 150];
          const windows = [
            [{ site: 0, start: c.changeover, end: after }, ...(c.twoSites ? [{ site: 1, start: before, end: c.changeover - c.gap }] : [])],
            [{ site: 0, start: before, end: c.changeover }, ...(c.twoSites ? [{ site: 1, start: c.changeover + c.gap, end: after }] : [])],
          ];
          const diary = await buildDiary({
            type: c.type,
            sites: c.twoSites ? 2 : 1,
            rooms: c.sharedRoom ? [{ site: 0, capacity: c.roomCapacity }] : [],
            patterns: windows.flatMap((list, adviser) =>
              list.map((w) => ({ adviser, site: w.site, room: c.sharedRoom && w.site === 0 ? 0 : undefined, startTime: hhmm(w.start), endTime: hhmm(w.end) })),
            ),
          });
          for (const a of c.actions) {
            const list = windows[a.adviser];
            const w = list[a.window % list.length];
            const at = part(diary, w.site, a.adviser);
            const start = on(hhmm(a.from === 'start' ? w.start + a.offset : w.end - c.type.durationMinutes - a.offset));
            // Many of these are refused (outside the window, or over another session): the
            // diary is whatever the accepted ones leave.
            try {
              if (a.kind === 'booking') await ctx.bookings.book(ADMIN, serviceBooking(at, start), undefined, setUpAt);
              if (a.kind === 'lapsed hold') await ctx.bookings.createHold(ADMIN, slotRef(at, start), setUpAt);
              if (a.kind === 'live hold') await ctx.bookings.createHold(ADMIN, slotRef(at, start), searchAt - MINUTE);
              if (a.kind === 'cancelled booking') {
                await ctx.bookings.createHold(ADMIN, slotRef(at, start), setUpAt);
                const { booking } = await ctx.bookings.book(ADMIN, serviceBooking(at, start), undefined, setUpAt);
                await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Started a job' }, setUpAt);
              }
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
            }
          }
          // By each site, which loads what is elsewhere differently, and by the advisers.
          const offered = new Map<string, SlotView>();
          for (const scope of [...diary.siteIds.map((siteId) => ({ siteId: [siteId] })), { adviserId: diary.adviserIds }]) {
            for (const slot of await ctx.slots.search({ appointmentType: diary.typeCode, ...scope, from: DATE, to: DATE }, searchAt)) offered.set(`${slot.adviserId} ${slot.start}`, slot);
          }
          const refused: string[] = [];
          for (const slot of offered.values()) {
            const code = await refusal(diary.typeCode, slot);
            if (code) refused.push(`${slot.start} with adviser ${diary.adviserIds.indexOf(slot.adviserId)} at site ${diary.siteIds.indexOf(slot.siteId)}: ${code}`);
          }
          expect(refused).toEqual([]);
        }),
        { numRuns: 30 },
      );
    });
  });
});
