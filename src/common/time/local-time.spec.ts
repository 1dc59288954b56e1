import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addDays,
  formatInstant,
  isoWeekday,
  isValidDate,
  localDateOf,
  localToInstant,
  minutesOfDay,
  parseInstant,
  startOfLocalDay,
  timeOfDay,
} from './local-time';

const LONDON = 'Europe/London';
const RUNS = { numRuns: 300 };

// Independent calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days),
// so that expectations do not come from Date or luxon, which the code under test uses.
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): string {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const parts = (date: string) => date.split('-').map(Number) as [number, number, number];
/** 1970-01-01 was a Thursday (ISO 4). */
const oracleWeekday = (date: string) => ((((daysFromCivil(...parts(date)) + 3) % 7) + 7) % 7) + 1;

/** Dates between 1990 and 2110, as day numbers since the epoch (calendar arithmetic has no year bound). */
const dayNumber = fc.integer({ min: daysFromCivil(1990, 1, 1), max: daysFromCivil(2110, 12, 31) });
const dateArb = dayNumber.map(civilFromDays);
/** Dates in the years diaries accept, 2000 to 2099. */
const diaryDateArb = fc.integer({ min: daysFromCivil(2000, 1, 1), max: daysFromCivil(2099, 12, 31) }).map(civilFromDays);

/** The wall clock in London at an instant, by Intl rather than luxon. */
const wallClockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
function londonWallClock(instant: number): { date: string; time: string } {
  const f = wallClockFormat;
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

describe('addDays', () => {
  it.each([
    ['2027-01-31', 1, '2027-02-01'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-02-29', 1, '2028-03-01'],
    ['2027-12-31', 1, '2028-01-01'],
    ['2028-01-01', -1, '2027-12-31'],
    ['2027-03-01', -1, '2027-02-28'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2027-10-30', 2, '2027-11-01'],
    ['2028-03-25', 2, '2028-03-27'],
    ['2027-12-25', 14, '2028-01-08'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
  ])('%s plus %i days is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('agrees with independent day-number arithmetic', () => {
    fc.assert(
      fc.property(dayNumber, fc.integer({ min: -800, max: 800 }), (day, n) => {
        expect(addDays(civilFromDays(day), n)).toBe(civilFromDays(day + n));
      }),
      RUNS,
    );
  });

  it('is undone by adding the opposite number of days', () => {
    fc.assert(fc.property(dateArb, fc.integer({ min: -1000, max: 1000 }), (date, n) => addDays(addDays(date, n), -n) === date), RUNS);
  });
});

describe('isoWeekday', () => {
  it.each([
    ['2027-01-04', 1], // Monday
    ['2027-01-03', 7], // Sunday
    ['2026-12-31', 4], // Thursday, across the year end
    ['2027-01-01', 5],
    ['2028-02-29', 2],
    ['2028-03-01', 3],
    ['2027-10-31', 7],
    ['2028-03-26', 7],
    ['2027-11-01', 1],
    ['2028-03-27', 1],
  ])('%s is ISO weekday %d', (date, weekday) => {
    expect(isoWeekday(date)).toBe(weekday);
  });

  it('matches an independently computed weekday', () => {
    fc.assert(fc.property(dateArb, (date) => isoWeekday(date) === oracleWeekday(date)), RUNS);
  });

  it('advances by one each day, wrapping Sunday to Monday, across month and year ends', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        expect(isoWeekday(addDays(date, 1))).toBe((isoWeekday(date) % 7) + 1);
        expect(isoWeekday(addDays(date, 7))).toBe(isoWeekday(date));
      }),
      RUNS,
    );
  });
});

describe('isValidDate', () => {
  it.each(['2027-01-01', '2028-02-29', '2027-12-31', '2000-02-29'])('accepts %s', (date) => expect(isValidDate(date)).toBe(true));
  it.each(['2027-02-29', '2100-02-29', '2027-04-31', '2027-13-01', '2027-00-10', '2027-1-1', '27-01-01', '2027-01-01T00:00', ''])('rejects %s', (date) =>
    expect(isValidDate(date)).toBe(false),
  );
  it.each(['1999-12-31', '2100-01-01', '0001-01-01', '9999-12-31'])('rejects %s, outside 2000-2099', (date) => expect(isValidDate(date)).toBe(false));
  it('accepts every real calendar date from 2000 to 2099', () => {
    fc.assert(fc.property(diaryDateArb, (date) => isValidDate(date)), RUNS);
  });
  it('accepts exactly the dates that round-trip through independent calendar arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1998, max: 2101 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const real = civilFromDays(daysFromCivil(y, m, d)) === date;
        expect(isValidDate(date)).toBe(real && y >= 2000 && y <= 2099);
      }),
      RUNS,
    );
  });
});

describe('minutesOfDay and timeOfDay', () => {
  it.each([
    ['00:00', 0],
    ['09:05', 545],
    ['12:30', 750],
    ['23:59', 1439],
  ])('%s is %d minutes', (time, minutes) => {
    expect(minutesOfDay(time)).toBe(minutes);
    expect(timeOfDay(minutes)).toBe(time);
  });

  it('round-trips every minute of the day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), (m) => {
        const time = timeOfDay(m);
        expect(time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        expect(minutesOfDay(time)).toBe(m);
      }),
      RUNS,
    );
  });
});

describe('parseInstant', () => {
  it.each([
    ['2027-01-04T09:00:00Z', Date.UTC(2027, 0, 4, 9)],
    ['2027-01-04T09:00Z', Date.UTC(2027, 0, 4, 9)],
    ['2027-06-01T10:00:00+01:00', Date.UTC(2027, 5, 1, 9)],
    ['2027-06-01T04:30:00-05:00', Date.UTC(2027, 5, 1, 9, 30)],
    ['2027-01-04T09:00:00.250Z', Date.UTC(2027, 0, 4, 9, 0, 0, 250)],
    ['2028-02-29T23:59:59+00:00', Date.UTC(2028, 1, 29, 23, 59, 59)],
  ])('reads %s', (value, expected) => {
    expect(parseInstant(value)).toBe(expected);
  });

  it.each([
    '2027-01-04T09:00:00', // no offset: ambiguous local time
    '2027-01-04T09:00',
    '2027-01-04',
    '2027-01-04 09:00:00Z',
    '09:00:00Z',
    'yesterday',
    '',
    '2027-02-30T10:00:00Z', // no such day
    '2027-02-29T10:00:00Z', // not a leap year
    '2027-13-01T10:00:00Z',
    '2027-04-31T10:00:00+01:00',
    '2027-01-04T25:00:00Z',
    '2027-01-04T09:60:00Z',
    '2027-01-04T09:00:00+0100', // offset without a colon is not accepted
    '1999-12-31T23:59:59Z', // outside the years diaries accept
    '2100-01-01T00:00:00Z',
  ])('rejects %j', (value) => {
    expect(parseInstant(value)).toBeNull();
  });

  it('reads back any instant from 2000 to 2099 written as ISO 8601 in UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) - 1 }), (t) => parseInstant(new Date(t).toISOString()) === t),
      RUNS,
    );
  });
});

describe('formatInstant', () => {
  it('gives +01:00 in British Summer Time', () => {
    expect(formatInstant(Date.UTC(2027, 6, 1, 8, 0), LONDON)).toBe('2027-07-01T09:00:00+01:00');
    expect(formatInstant(Date.UTC(2028, 2, 27, 8, 0), LONDON)).toBe('2028-03-27T09:00:00+01:00');
  });

  it('gives +00:00 (not Z) in winter', () => {
    expect(formatInstant(Date.UTC(2027, 0, 4, 9, 0), LONDON)).toBe('2027-01-04T09:00:00+00:00');
    expect(formatInstant(Date.UTC(2027, 10, 1, 9, 0), LONDON)).toBe('2027-11-01T09:00:00+00:00');
  });

  it('shows the change of offset at the clock changes', () => {
    expect(formatInstant(Date.UTC(2028, 2, 26, 0, 59), LONDON)).toBe('2028-03-26T00:59:00+00:00');
    expect(formatInstant(Date.UTC(2028, 2, 26, 1, 0), LONDON)).toBe('2028-03-26T02:00:00+01:00');
    expect(formatInstant(Date.UTC(2027, 9, 31, 0, 30), LONDON)).toBe('2027-10-31T01:30:00+01:00');
    expect(formatInstant(Date.UTC(2027, 9, 31, 1, 30), LONDON)).toBe('2027-10-31T01:30:00+00:00');
  });

  it('can be parsed back to the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2060, 0, 1) }), fc.constantFrom(LONDON, 'UTC', 'America/New_York'), (t, zone) => {
        const text = formatInstant(t, zone);
        expect(text).toMatch(zone === 'UTC' ? /(Z|[+-]00:00)$/ : /[+-]\d{2}:\d{2}$/);
        expect(parseInstant(text)).toBe(t);
      }),
      RUNS,
    );
  });
});

describe('localDateOf and startOfLocalDay', () => {
  it('uses the local date in London', () => {
    expect(localDateOf(Date.UTC(2027, 5, 30, 23, 30), LONDON)).toBe('2027-07-01');
    expect(localDateOf(Date.UTC(2027, 0, 31, 23, 30), LONDON)).toBe('2027-01-31');
    expect(localDateOf(Date.UTC(2027, 11, 31, 23, 59), LONDON)).toBe('2027-12-31');
  });

  it('agrees with luxon at any instant, in zones that change their clocks and zones that do not', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), fc.constantFrom(LONDON, 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'), (instant, zone) => {
        expect(localDateOf(instant, zone)).toBe(DateTime.fromMillis(instant, { zone }).toISODate());
      }),
      { numRuns: 2000 },
    );
  });

  it('starts days at local midnight, including on the change days', () => {
    expect(startOfLocalDay(LONDON, '2027-01-04')).toBe(Date.UTC(2027, 0, 4));
    expect(startOfLocalDay(LONDON, '2027-07-01')).toBe(Date.UTC(2027, 5, 30, 23));
    expect(startOfLocalDay(LONDON, '2028-03-26')).toBe(Date.UTC(2028, 2, 26, 0));
    expect(startOfLocalDay(LONDON, '2028-03-27')).toBe(Date.UTC(2028, 2, 26, 23));
    expect(startOfLocalDay(LONDON, '2027-10-31')).toBe(Date.UTC(2027, 9, 30, 23));
    expect(startOfLocalDay(LONDON, '2027-11-01')).toBe(Date.UTC(2027, 10, 1, 0));
  });
});

describe('localToInstant', () => {
  it('gives the instant whose London wall clock shows that date and time (outside the changeover hours)', () => {
    fc.assert(
      fc.property(fc.integer({ min: daysFromCivil(2026, 1, 1), max: daysFromCivil(2030, 12, 31) }), fc.integer({ min: 3 * 60, max: 1439 }), (day, minute) => {
        const date = civilFromDays(day);
        const time = timeOfDay(minute);
        expect(londonWallClock(localToInstant(LONDON, date, time))).toEqual({ date, time });
      }),
      RUNS,
    );
  });

  it('keeps 09:00 on the wall clock either side of the clock changes', () => {
    expect(localToInstant(LONDON, '2028-03-25', '09:00')).toBe(Date.UTC(2028, 2, 25, 9));
    expect(localToInstant(LONDON, '2028-03-27', '09:00')).toBe(Date.UTC(2028, 2, 27, 8));
    expect(localToInstant(LONDON, '2027-10-30', '09:00')).toBe(Date.UTC(2027, 9, 30, 8));
    expect(localToInstant(LONDON, '2027-11-01', '09:00')).toBe(Date.UTC(2027, 10, 1, 9));
  });

  // The documented rules, checked with the process clock pinned, because luxon's guess
  // of the offset for a local time starts from the offset in force *now*. A fresh copy of
  // the module is loaded each time so that its memo of conversions starts empty.
  const withClock = <T>(now: string, body: (lt: typeof import('./local-time')) => T): T => {
    const spy = jest.spyOn(Date, 'now').mockReturnValue(Date.parse(now));
    try {
      let result: T | undefined;
      jest.isolateModules(() => {
        result = body(require('./local-time'));
      });
      return result as T;
    } finally {
      spy.mockRestore();
    }
  };

  describe.each([
    ['in summer', '2026-07-01T12:00:00Z'],
    ['in winter', '2026-12-01T12:00:00Z'],
  ])('when the server clock reads a date %s', (_label, now) => {
    it('resolves a time in the hour skipped on 2028-03-26 to one hour later (01:30 -> 02:30 BST)', () => {
      withClock(now, (lt) => {
        expect(lt.localToInstant(LONDON, '2028-03-26', '01:30')).toBe(Date.UTC(2028, 2, 26, 1, 30));
        expect(lt.localToInstant(LONDON, '2028-03-26', '01:00')).toBe(Date.UTC(2028, 2, 26, 1, 0));
        expect(lt.localToInstant(LONDON, '2028-03-26', '02:00')).toBe(Date.UTC(2028, 2, 26, 1, 0));
      });
    });

    it('resolves a time in the hour repeated on 2027-10-31 to its first (BST) occurrence', () => {
      withClock(now, (lt) => {
        // 01:30 BST is 00:30Z; the second 01:30, in GMT, would be 01:30Z.
        expect(lt.localToInstant(LONDON, '2027-10-31', '01:30')).toBe(Date.UTC(2027, 9, 31, 0, 30));
        expect(lt.localToInstant(LONDON, '2027-10-31', '01:00')).toBe(Date.UTC(2027, 9, 31, 0, 0));
        expect(lt.localToInstant(LONDON, '2027-10-31', '02:00')).toBe(Date.UTC(2027, 9, 31, 2, 0));
      });
    });
  });
});
