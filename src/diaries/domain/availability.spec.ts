import fc from 'fast-check';
import { DiaryPattern, expandPattern, Interval, OpeningHours, patternsOverlap, SiteCalendar, subtractBlocks, Window } from './availability';

const LONDON = 'Europe/London';
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

// ---------------------------------------------------------------------------------------
// Independent calendar and London-time oracles (no luxon, no code under test).

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
const dateOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayOfDate = (date: string) => daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
const weekdayOfDay = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday
const lastSunday = (year: number, month: number) => {
  const first = daysFromCivil(year, month + 1, 1) - 1; // last day of the month
  return first - (weekdayOfDay(first) % 7);
};
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * The instant of a London wall-clock time at or after 03:00 (clear of the changeover
 * hours): British Summer Time runs from the last Sunday of March to the last Sunday of
 * October.
 */
function londonDaytime(date: string, time: string): number {
  const day = dayOfDate(date);
  const year = Number(date.slice(0, 4));
  const bst = day >= lastSunday(year, 3) && day < lastSunday(year, 10);
  return day * DAY_MS + minutesOf(time) * 60_000 - (bst ? HOUR : 0);
}

const site = (overrides: Partial<SiteCalendar> = {}): SiteCalendar => ({ id: 'site-1', timezone: LONDON, openingHours: null, closedDates: new Set(), ...overrides });
const pattern = (overrides: Partial<DiaryPattern> = {}): DiaryPattern => ({
  id: 'p1',
  adviserId: 'adv-1',
  siteId: 'site-1',
  roomId: null,
  weekdays: [1],
  startTime: '09:00',
  endTime: '12:00',
  validFrom: '2020-01-01',
  validTo: null,
  appointmentTypes: ['SKILLS'],
  ...overrides,
});
const utc = (iso: string) => Date.parse(iso);
const span = (w: Interval) => [new Date(w.start).toISOString(), new Date(w.end).toISOString()];

// ---------------------------------------------------------------------------------------

describe('expandPattern', () => {
  describe('keeps the wall-clock time across the clock changes (Europe/London)', () => {
    const monday = pattern({ weekdays: [1], startTime: '09:00', endTime: '12:00' });
    const weekFrom = (from: string) => ({ start: utc(`${from}T00:00:00Z`), end: utc(`${from}T00:00:00Z`) + 7 * DAY_MS });

    it('Monday 09:00 after the clocks go forward on Sunday 2028-03-26 is 08:00Z', () => {
      const windows = expandPattern(monday, site(), weekFrom('2028-03-21'));
      expect(windows.map(span)).toEqual([['2028-03-27T08:00:00.000Z', '2028-03-27T11:00:00.000Z']]);
    });

    it('Monday 09:00 the week before the change is 09:00Z', () => {
      expect(expandPattern(monday, site(), weekFrom('2028-03-14')).map(span)).toEqual([['2028-03-20T09:00:00.000Z', '2028-03-20T12:00:00.000Z']]);
    });

    it('Monday 09:00 after the clocks went back on Sunday 2027-10-31 is 09:00Z', () => {
      const windows = expandPattern(monday, site(), weekFrom('2027-10-27'));
      expect(windows.map(span)).toEqual([['2027-11-01T09:00:00.000Z', '2027-11-01T12:00:00.000Z']]);
    });

    it('Monday 09:00 the week before the clocks went back is 08:00Z', () => {
      expect(expandPattern(monday, site(), weekFrom('2027-10-20')).map(span)).toEqual([['2027-10-25T08:00:00.000Z', '2027-10-25T11:00:00.000Z']]);
    });

    it('a Sunday 01:30-03:00 pattern on 2028-03-26 starts at 02:30 BST, the skipped 01:30 moved an hour on', () => {
      const sunday = pattern({ weekdays: [7], startTime: '01:30', endTime: '03:00' });
      const windows = expandPattern(sunday, site(), { start: utc('2028-03-25T12:00:00Z'), end: utc('2028-03-26T12:00:00Z') });
      // 02:30 BST = 01:30Z; 03:00 BST = 02:00Z.
      expect(windows.map(span)).toEqual([['2028-03-26T01:30:00.000Z', '2028-03-26T02:00:00.000Z']]);
    });

    it('a Sunday pattern wholly inside the skipped hour on 2028-03-26 yields nothing', () => {
      const sunday = pattern({ weekdays: [7], startTime: '01:10', endTime: '01:50' });
      // Both ends move an hour on (02:10 and 02:50 BST): a 40-minute window, never an inverted one.
      const windows = expandPattern(sunday, site(), { start: utc('2028-03-25T12:00:00Z'), end: utc('2028-03-26T12:00:00Z') });
      for (const w of windows) expect(w.end).toBeGreaterThan(w.start);
    });

    // luxon resolves ambiguous local times from the offset in force *now*, so the rule is
    // checked with the process clock pinned to each season, with a fresh module (and memo).
    describe.each([
      ['summer', '2026-07-01T12:00:00Z'],
      ['winter', '2026-12-01T12:00:00Z'],
    ])('with the server clock in %s', (_season, now) => {
      it('a Sunday 01:30-03:00 pattern on 2027-10-31 starts at the first 01:30 (BST, 00:30Z) and ends at 03:00 GMT', () => {
        const spy = jest.spyOn(Date, 'now').mockReturnValue(Date.parse(now));
        try {
          jest.isolateModules(() => {
            const fresh: typeof import('./availability') = require('./availability');
            const sunday = pattern({ weekdays: [7], startTime: '01:30', endTime: '03:00' });
            const windows = fresh.expandPattern(sunday, site(), { start: utc('2027-10-30T12:00:00Z'), end: utc('2027-10-31T12:00:00Z') });
            expect(windows.map(span)).toEqual([['2027-10-31T00:30:00.000Z', '2027-10-31T03:00:00.000Z']]);
          });
        } finally {
          spy.mockRestore();
        }
      });
    });
  });

  it('removes closed dates (closures and bank holidays)', () => {
    const weekdays = pattern({ weekdays: [1, 2, 3, 4, 5] });
    const windows = expandPattern(weekdays, site({ closedDates: new Set(['2027-03-29', '2027-03-31']) }), { start: utc('2027-03-29T00:00:00Z'), end: utc('2027-04-03T00:00:00Z') });
    expect(windows.map(span)).toEqual([
      ['2027-03-30T08:00:00.000Z', '2027-03-30T11:00:00.000Z'],
      ['2027-04-01T08:00:00.000Z', '2027-04-01T11:00:00.000Z'],
      ['2027-04-02T08:00:00.000Z', '2027-04-02T11:00:00.000Z'],
    ]);
  });

  it('clips to opening hours, and drops days the site is shut or the hours do not meet', () => {
    const hours: OpeningHours = { MON: { open: '09:30', close: '17:00' }, WED: { open: '07:00', close: '10:15' }, THU: { open: '13:00', close: '18:00' } };
    const p = pattern({ weekdays: [1, 2, 3, 4], startTime: '08:00', endTime: '12:00' });
    const windows = expandPattern(p, site({ openingHours: hours }), { start: utc('2027-01-04T00:00:00Z'), end: utc('2027-01-11T00:00:00Z') });
    expect(windows.map(span)).toEqual([
      ['2027-01-04T09:30:00.000Z', '2027-01-04T12:00:00.000Z'], // Monday: opens at 09:30
      ['2027-01-06T08:00:00.000Z', '2027-01-06T10:15:00.000Z'], // Wednesday: closes at 10:15
      // Tuesday is missing from the hours (shut); Thursday's hours start after the pattern ends.
    ]);
  });

  it('treats null opening hours as no restriction', () => {
    const p = pattern({ weekdays: [6, 7], startTime: '07:00', endTime: '21:00' });
    expect(expandPattern(p, site(), { start: utc('2027-01-09T00:00:00Z'), end: utc('2027-01-11T00:00:00Z') }).map(span)).toEqual([
      ['2027-01-09T07:00:00.000Z', '2027-01-09T21:00:00.000Z'],
      ['2027-01-10T07:00:00.000Z', '2027-01-10T21:00:00.000Z'],
    ]);
  });

  it('honours validFrom and validTo inclusively', () => {
    const p = pattern({ weekdays: [1, 2, 3, 4, 5, 6, 7], validFrom: '2027-01-05', validTo: '2027-01-07' });
    const windows = expandPattern(p, site(), { start: utc('2027-01-01T00:00:00Z'), end: utc('2027-01-15T00:00:00Z') });
    expect(windows.map((w) => new Date(w.start).toISOString().slice(0, 10))).toEqual(['2027-01-05', '2027-01-06', '2027-01-07']);
  });

  it('a one-day validity yields that day only', () => {
    const p = pattern({ weekdays: [3], validFrom: '2027-01-06', validTo: '2027-01-06' });
    const windows = expandPattern(p, site(), { start: utc('2026-12-01T00:00:00Z'), end: utc('2027-02-01T00:00:00Z') });
    expect(windows.map(span)).toEqual([['2027-01-06T09:00:00.000Z', '2027-01-06T12:00:00.000Z']]);
  });

  it('keeps windows that only partly overlap the range, and carries the pattern identity', () => {
    const p = pattern({ id: 'pat-9', adviserId: 'adv-9', roomId: 'room-3', weekdays: [1] });
    const windows = expandPattern(p, site({ id: 'site-1' }), { start: utc('2027-01-04T10:00:00Z'), end: utc('2027-01-04T10:30:00Z') });
    expect(windows).toEqual([{ start: utc('2027-01-04T09:00:00Z'), end: utc('2027-01-04T12:00:00Z'), adviserId: 'adv-9', siteId: 'site-1', roomId: 'room-3', patternId: 'pat-9' }]);
    expect(expandPattern(p, site(), { start: utc('2027-01-04T12:00:00Z'), end: utc('2027-01-04T13:00:00Z') })).toEqual([]);
    expect(expandPattern(p, site(), { start: utc('2027-01-04T08:00:00Z'), end: utc('2027-01-04T09:00:00Z') })).toEqual([]);
  });

  describe('agrees with an independent expansion (daytime patterns in London)', () => {
    const minute5 = (lo: number, hi: number) => fc.integer({ min: lo / 5, max: hi / 5 }).map((x) => x * 5);
    const timePair = fc.tuple(minute5(6 * 60, 22 * 60), minute5(6 * 60, 22 * 60)).filter(([a, b]) => a !== b).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    const dayArb = fc.oneof(
      fc.integer({ min: daysFromCivil(2027, 1, 1), max: daysFromCivil(2028, 12, 31) }),
      fc.integer({ min: daysFromCivil(2027, 10, 20), max: daysFromCivil(2027, 11, 5) }),
      fc.integer({ min: daysFromCivil(2028, 3, 15), max: daysFromCivil(2028, 3, 30) }),
    );
    const hoursArb: fc.Arbitrary<OpeningHours | null> = fc.option(
      fc.record(Object.fromEntries(NAMES.map((n) => [n, timePair.map(([a, b]) => ({ open: hhmm(a), close: hhmm(b) }))])) as Record<(typeof NAMES)[number], fc.Arbitrary<{ open: string; close: string }>>, {
        requiredKeys: [],
      }),
    );
    const scenario = fc
      .record({
        from: dayArb,
        days: fc.integer({ min: 1, max: 21 }),
        weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        times: timePair,
        validFromShift: fc.integer({ min: -15, max: 25 }),
        validLength: fc.option(fc.integer({ min: 0, max: 20 })),
        closedShifts: fc.uniqueArray(fc.integer({ min: -2, max: 22 }), { maxLength: 6 }),
        hours: hoursArb,
        // The range may start and end at any instant, not just midnight.
        startJitter: fc.integer({ min: -DAY_MS, max: DAY_MS }),
        endJitter: fc.integer({ min: -DAY_MS, max: DAY_MS }),
      })
      .filter((s) => s.days * DAY_MS + s.endJitter > s.startJitter);

    it('yields exactly one window per open, valid, matching local day that meets the range', () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const validFrom = dateOfDay(s.from + s.validFromShift);
          const validTo = s.validLength === null ? null : dateOfDay(s.from + s.validFromShift + s.validLength);
          const closed = new Set(s.closedShifts.map((c) => dateOfDay(s.from + c)));
          const p = pattern({ weekdays: s.weekdays, startTime: hhmm(s.times[0]), endTime: hhmm(s.times[1]), validFrom, validTo });
          const cal = site({ openingHours: s.hours, closedDates: closed });
          const range = { start: s.from * DAY_MS + s.startJitter, end: (s.from + s.days) * DAY_MS + s.endJitter };

          const expected: [number, number][] = [];
          for (let day = s.from - 2; day <= s.from + s.days + 2; day++) {
            const date = dateOfDay(day);
            if (date < validFrom || (validTo !== null && date > validTo)) continue;
            if (!s.weekdays.includes(weekdayOfDay(day)) || closed.has(date)) continue;
            let [open, close] = s.times as readonly [number, number];
            if (s.hours) {
              const h = s.hours[NAMES[weekdayOfDay(day) - 1]];
              if (!h) continue;
              open = Math.max(open, minutesOf(h.open));
              close = Math.min(close, minutesOf(h.close));
              if (close <= open) continue;
            }
            const start = londonDaytime(date, hhmm(open));
            const end = londonDaytime(date, hhmm(close));
            if (start < range.end && end > range.start) expected.push([start, end]);
          }

          const windows = expandPattern(p, cal, range);
          expect(windows.map((w) => [w.start, w.end])).toEqual(expected);
          expect(windows.filter((w) => w.adviserId !== p.adviserId || w.siteId !== p.siteId || w.roomId !== p.roomId || w.patternId !== p.id)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  });
});

// ---------------------------------------------------------------------------------------

describe('subtractBlocks', () => {
  type W = Interval & { id: string };
  const w = (id: string, start: number, end: number): W => ({ id, start, end });

  it.each([
    ['a block in the middle splits the window', [w('a', 0, 100)], [{ start: 40, end: 60 }], [w('a', 0, 40), w('a', 60, 100)]],
    ['a block over the start trims it', [w('a', 10, 100)], [{ start: 0, end: 30 }], [w('a', 30, 100)]],
    ['a block over the end trims it', [w('a', 0, 100)], [{ start: 70, end: 200 }], [w('a', 0, 70)]],
    ['a block covering the window removes it', [w('a', 10, 20)], [{ start: 10, end: 20 }], []],
    ['touching blocks change nothing', [w('a', 10, 20)], [{ start: 0, end: 10 }, { start: 20, end: 30 }], [w('a', 10, 20)]],
    ['several blocks cut several windows', [w('a', 0, 50), w('b', 60, 120)], [{ start: 40, end: 70 }, { start: 90, end: 100 }], [w('a', 0, 40), w('b', 70, 90), w('b', 100, 120)]],
  ])('%s', (_name, windows, blocks, expected) => {
    expect(subtractBlocks(windows, blocks)).toEqual(expected);
  });

  it('keeps the other fields of a window on each piece', () => {
    const window: Window = { start: 0, end: 100, adviserId: 'adv', siteId: 'site', roomId: 'room', patternId: 'pat' };
    expect(subtractBlocks([window], [{ start: 20, end: 30 }])).toEqual([
      { ...window, end: 20 },
      { ...window, start: 30 },
    ]);
  });

  // Integer instants on a small grid, so that coverage can be checked point by point.
  const intervalArb = (maxLen: number) => fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: maxLen })).map(([s, l]) => ({ start: s, end: s + l }));
  const windowsArb = fc.array(intervalArb(60), { maxLength: 6 }).map((ws) => ws.map((x, i) => ({ ...x, id: `w${i}` })));
  const blocksArb = fc.array(intervalArb(40), { maxLength: 6 });
  const inside = (t: number, i: Interval) => i.start <= t && t < i.end;

  it('leaves exactly the unblocked part of every window, in non-empty pieces', () => {
    fc.assert(
      fc.property(windowsArb, blocksArb, (windows, blocks) => {
        const result = subtractBlocks(windows, blocks);
        for (const piece of result) {
          const origin = windows.find((x) => x.id === piece.id)!;
          // Non-empty, within its window, and disjoint from every block.
          const ok = piece.end > piece.start && piece.start >= origin.start && piece.end <= origin.end && blocks.every((b) => piece.end <= b.start || piece.start >= b.end);
          if (!ok) throw new Error(`bad piece ${JSON.stringify(piece)} of ${JSON.stringify(origin)}`);
        }
        // Every point of every window is covered by exactly one of its pieces if unblocked, by none if blocked.
        const wrong: string[] = [];
        for (const window of windows) {
          const pieces = result.filter((p) => p.id === window.id);
          for (let t = window.start; t < window.end; t++) {
            const blocked = blocks.some((b) => inside(t, b));
            const covered = pieces.filter((p) => inside(t, p)).length;
            if (covered !== (blocked ? 0 : 1)) wrong.push(`${window.id}@${t}: covered ${covered} times, blocked ${blocked}`);
          }
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('preserves measure: what is left plus what the blocks removed is the original', () => {
    fc.assert(
      fc.property(windowsArb, blocksArb, (windows, blocks) => {
        const length = (xs: Interval[]) => xs.reduce((sum, x) => sum + x.end - x.start, 0);
        const result = subtractBlocks(windows, blocks);
        let removed = 0;
        for (const window of windows) for (let t = window.start; t < window.end; t++) if (blocks.some((b) => inside(t, b))) removed++;
        expect(length(result) + removed).toBe(length(windows));
      }),
      { numRuns: 300 },
    );
  });

  it('is unaffected by the order of the blocks', () => {
    fc.assert(
      fc.property(windowsArb, blocksArb, (windows, blocks) => {
        const points = (xs: (Interval & { id: string })[]) => xs.flatMap((x) => Array.from({ length: x.end - x.start }, (_, k) => `${x.id}@${x.start + k}`)).sort();
        expect(points(subtractBlocks(windows, [...blocks].reverse()))).toEqual(points(subtractBlocks(windows, blocks)));
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------

describe('patternsOverlap', () => {
  type Shape = Parameters<typeof patternsOverlap>[0];
  const shape = (overrides: Partial<Shape> = {}): Shape => ({ weekdays: [1], startTime: '09:00', endTime: '12:00', validFrom: '2027-01-01', validTo: null, ...overrides });

  it.each<[string, Partial<Shape>, Partial<Shape>, boolean]>([
    ['same day and hours', {}, {}, true],
    ['overlapping hours', { startTime: '09:00', endTime: '12:00' }, { startTime: '11:30', endTime: '14:00' }, true],
    ['one inside the other', { startTime: '08:00', endTime: '18:00' }, { startTime: '10:00', endTime: '11:00' }, true],
    ['touching: end == start', { startTime: '09:00', endTime: '12:00' }, { startTime: '12:00', endTime: '15:00' }, false],
    ['touching the other way', { startTime: '12:00', endTime: '15:00' }, { startTime: '09:00', endTime: '12:00' }, false],
    ['one minute of overlap', { startTime: '09:00', endTime: '12:01' }, { startTime: '12:00', endTime: '15:00' }, true],
    ['different weekdays', { weekdays: [1, 3] }, { weekdays: [2, 4] }, false],
    ['one shared weekday', { weekdays: [1, 3, 5] }, { weekdays: [5, 6] }, true],
    ['validity touching on one Monday (inclusive)', { validFrom: '2027-01-01', validTo: '2027-03-29' }, { validFrom: '2027-03-29', validTo: null }, true],
    ['validity one after the other', { validFrom: '2027-01-01', validTo: '2027-03-30' }, { validFrom: '2027-03-31', validTo: null }, false],
    ['open-ended against a later one', { validFrom: '2027-01-01', validTo: null }, { validFrom: '2030-06-01', validTo: '2030-06-30' }, true],
    ['later one ends before the open-ended one starts', { validFrom: '2027-06-01', validTo: null }, { validFrom: '2027-01-01', validTo: '2027-05-31' }, false],
    ['both open-ended', { validFrom: '2027-01-01', validTo: null }, { validFrom: '2029-01-01', validTo: null }, true],
    // Mondays up to Wednesday 2027-03-31 and Mondays from Tuesday 2027-03-30: the validities
    // share only a Tuesday and a Wednesday, so the two patterns never claim the same Monday.
    ['validities overlap only on days neither pattern runs', { weekdays: [1], validTo: '2027-03-31' }, { weekdays: [1], validFrom: '2027-03-30' }, false],
    ['hours overlap but days do not', { weekdays: [6], startTime: '09:00', endTime: '12:00' }, { weekdays: [7], startTime: '09:00', endTime: '12:00' }, false],
  ])('%s', (_name, a, b, expected) => {
    expect(patternsOverlap(shape(a), shape(b))).toBe(expected);
    expect(patternsOverlap(shape(b), shape(a))).toBe(expected);
  });

  const BASE = daysFromCivil(2027, 1, 1);
  const shapeArb: fc.Arbitrary<Shape> = fc
    .record({
      weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      times: fc.tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 0, max: 95 })).filter(([a, b]) => a !== b),
      from: fc.integer({ min: 0, max: 60 }),
      length: fc.option(fc.integer({ min: 0, max: 30 })),
    })
    .map((r) => ({
      weekdays: r.weekdays,
      startTime: hhmm(Math.min(...r.times) * 15),
      endTime: hhmm(Math.max(...r.times) * 15),
      validFrom: dateOfDay(BASE + r.from),
      validTo: r.length === null ? null : dateOfDay(BASE + r.from + r.length),
    }));

  it('is symmetric', () => {
    fc.assert(fc.property(shapeArb, shapeArb, (a, b) => patternsOverlap(a, b) === patternsOverlap(b, a)), { numRuns: 500 });
  });

  it('says yes exactly when some date and minute are claimed by both (brute force)', () => {
    const claimsDay = (p: Shape, day: number) => {
      const date = dateOfDay(day);
      return date >= p.validFrom && (p.validTo === null || date <= p.validTo) && p.weekdays.includes(weekdayOfDay(day));
    };
    const claimsMinute = (p: Shape, m: number) => minutesOf(p.startTime) <= m && m < minutesOf(p.endTime);
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        let sharedDay = false;
        for (let day = BASE - 7; day <= BASE + 100 && !sharedDay; day++) sharedDay = claimsDay(a, day) && claimsDay(b, day);
        let sharedMinute = false;
        for (let m = 0; m < 1440 && !sharedMinute; m++) sharedMinute = claimsMinute(a, m) && claimsMinute(b, m);
        expect(patternsOverlap(a, b)).toBe(sharedDay && sharedMinute);
      }),
      { numRuns: 300 },
    );
  });
});
