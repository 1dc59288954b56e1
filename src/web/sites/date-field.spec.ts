import { readDate } from './date-field';

describe('the day a page shows', () => {
  it('reads the date typed into the day, month and year fields', () => {
    expect(readDate({ day: '4', month: '1', year: '2027' }, '2026-11-30')).toEqual({ date: '2027-01-04', errors: [], typed: { day: '4', month: '1', year: '2027' } });
  });

  it('takes a date from a link, and today without one', () => {
    expect(readDate({ date: '2027-01-05' }, '2026-11-30').date).toBe('2027-01-05');
    expect(readDate({}, '2026-11-30')).toMatchObject({ date: '2026-11-30', errors: [], typed: { day: '30', month: '11', year: '2026' } });
  });

  it('says so for a date that does not exist, keeping what was typed, and shows today', () => {
    for (const query of [{ day: '31', month: '2', year: '2027' }, { day: 'x', month: '1', year: '2027' }, { day: '4', month: '1', year: '' }, { date: '2027-13-01' }, { date: ['2027-01-04'] }]) {
      const read = readDate(query, '2026-11-30');
      expect(read.date).toBe('2026-11-30');
      expect(read.errors.map((e) => e.href)).toEqual(Array.isArray(query.date) ? [] : ['#date-day']);
    }
  });
});
