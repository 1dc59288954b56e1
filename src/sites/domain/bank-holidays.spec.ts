import { bankHolidays, bankHolidaysBetween } from './bank-holidays';

// Expected dates from the published GOV.UK bank-holiday lists, not from the library.
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday, 6 = Saturday
const isWeekend = (date: string) => weekday(date) === 0 || weekday(date) === 6;

describe('bankHolidays', () => {
  it('England and Wales 2027: every published bank holiday', () => {
    const england = bankHolidays('ENG', 2027);
    for (const date of ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']) expect(england).toContain(date);
    // Easter Monday, and the substitutes for Christmas Day (Sat) and Boxing Day (Sun).
    expect(england.has('2027-03-29')).toBe(true);
    expect(england.has('2027-12-27')).toBe(true);
    expect(england.has('2027-12-28')).toBe(true);
    // Nothing else on a working day.
    expect([...england].filter((d) => !isWeekend(d)).sort()).toEqual(['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']);
    expect([...bankHolidays('WLS', 2027)].filter((d) => !isWeekend(d)).sort()).toEqual([...england].filter((d) => !isWeekend(d)).sort());
  });

  it('England 2026', () => {
    expect([...bankHolidays('ENG', 2026)].filter((d) => !isWeekend(d)).sort()).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
  });

  it('Scotland has 2 January and St Andrew’s Day, the first Monday of August, and no Easter Monday', () => {
    const scotland2026 = bankHolidays('SCT', 2026);
    expect(scotland2026.has('2026-01-02')).toBe(true); // a Friday
    expect(scotland2026.has('2026-04-06')).toBe(false); // Easter Monday in England
    expect(scotland2026.has('2026-04-03')).toBe(true); // Good Friday
    expect(scotland2026.has('2026-08-03')).toBe(true);
    expect(scotland2026.has('2026-08-31')).toBe(false);
    expect(scotland2026.has('2026-11-30')).toBe(true);

    const scotland2027 = bankHolidays('SCT', 2027);
    expect(scotland2027.has('2027-01-04')).toBe(true); // 2 January is a Saturday: substitute Monday
    expect(scotland2027.has('2027-03-29')).toBe(false);
    expect([...scotland2027].filter((d) => !isWeekend(d)).sort()).toEqual(['2027-01-01', '2027-01-04', '2027-03-26', '2027-05-03', '2027-05-31', '2027-08-02', '2027-11-30', '2027-12-27', '2027-12-28']);
  });

  it('Northern Ireland adds St Patrick’s Day and the Battle of the Boyne', () => {
    const ni = bankHolidays('NIR', 2027);
    expect(ni.has('2027-03-17')).toBe(true);
    expect(ni.has('2027-07-12')).toBe(true);
    expect(ni.has('2027-03-29')).toBe(true);
    expect(bankHolidays('ENG', 2027).has('2027-03-17')).toBe(false);
  });

  it('NONE is empty', () => {
    expect(bankHolidays('NONE', 2027).size).toBe(0);
    expect(bankHolidaysBetween('NONE', '2026-01-01', '2028-12-31')).toEqual([]);
  });

  it('gives dates as yyyy-MM-dd within the year asked for', () => {
    for (const region of ['ENG', 'WLS', 'SCT', 'NIR'] as const)
      for (const year of [2026, 2027, 2028]) for (const date of bankHolidays(region, year)) expect(date).toMatch(new RegExp(`^${year}-\\d{2}-\\d{2}$`));
  });
});

describe('bankHolidaysBetween', () => {
  it('includes both ends, sorts, and spans year ends', () => {
    expect(bankHolidaysBetween('ENG', '2027-12-27', '2028-01-03').filter((d) => !isWeekend(d))).toEqual(['2027-12-27', '2027-12-28', '2028-01-03']);
    expect(bankHolidaysBetween('ENG', '2027-03-26', '2027-03-29')).toEqual(['2027-03-26', '2027-03-29']);
    expect(bankHolidaysBetween('ENG', '2027-03-27', '2027-03-28')).toEqual([]);
    const span = bankHolidaysBetween('SCT', '2026-12-01', '2027-01-31');
    expect(span).toEqual([...span].sort());
    expect(span.filter((d) => !isWeekend(d))).toEqual(['2026-12-25', '2026-12-28', '2027-01-01', '2027-01-04']);
  });
});
