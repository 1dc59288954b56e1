import { DateTime } from 'luxon';
import { spokenDateTime, spokenTime } from './format';

describe('dates and times for people', () => {
  it('writes a time on the site clock, in the GOV.UK style', () => {
    expect(spokenDateTime('2027-01-04T09:30:00Z', 'Europe/London')).toBe('Monday 4 January 2027 at 9:30am');
    expect(spokenDateTime('2027-06-07T08:00:00Z', 'Europe/London')).toBe('Monday 7 June 2027 at 9am');
  });

  it('says midday, and pm after it', () => {
    const at = (h: number, m = 0) => DateTime.fromObject({ year: 2027, month: 1, day: 4, hour: h, minute: m }, { zone: 'UTC' });
    expect([spokenTime(at(12)), spokenTime(at(12, 15)), spokenTime(at(16)), spokenTime(at(0, 5))]).toEqual(['midday', '12:15pm', '4pm', '12:05am']);
  });
});
