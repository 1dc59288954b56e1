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

describe('a date field of a range', () => {
  const from = { id: 'from', prefix: 'from-', label: 'Start date' };

  it('reads its own parts and its own link, leaving the other fields alone', () => {
    expect(readDate({ 'from-day': '7', 'from-month': '9', 'from-year': '2026', day: '1', month: '1', year: '2027' }, '2026-09-01', from).date).toBe('2026-09-07');
    expect(readDate({ from: '2026-09-14', date: '2027-01-01' }, '2026-09-01', from).date).toBe('2026-09-14');
    expect(readDate({ date: '2027-01-01' }, '2026-09-01', from).date).toBe('2026-09-01');
  });

  it('names itself in the error, linked to its own day', () => {
    expect(readDate({ 'from-day': '31', 'from-month': '9', 'from-year': '2026' }, '2026-09-01', from).errors).toEqual([{ href: '#from-day', text: 'Start date must be a real date, like 4 1 2027' }]);
  });
});
