import fc from 'fast-check';
import { BookingFacts, formatDuration, messageValues } from './message-values';
import { PLACEHOLDER_LIMITS, render } from './templates';

const t = (iso: string) => Date.parse(iso);

const facts = (overrides: Partial<BookingFacts> = {}): BookingFacts => ({
  customerName: 'Priya Shah',
  adviserName: 'Sam Jones',
  appointmentName: 'Careers guidance',
  description: 'A conversation about your next steps.',
  whatToBring: 'Your CV.',
  durationMinutes: 60,
  siteName: 'Leeds Jobcentre',
  address: '1 Park Row, Leeds',
  postcode: 'LS1 5AB',
  start: t('2027-03-29T09:00:00Z'),
  zone: 'Europe/London',
  ...overrides,
});

// The London wall clock worked out with Intl, not luxon, in the words the messages use.
const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
function londonWords(instant: number): { date: string; time: string } {
  const parts = LONDON.formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${get('weekday')} ${get('day')} ${get('month')}`, time: `${get('hour')}:${get('minute')}${get('dayPeriod').toLowerCase()}` };
}

describe('formatDuration', () => {
  it.each([
    [15, '15 minutes'],
    [30, '30 minutes'],
    [45, '45 minutes'],
    [60, '1 hour'],
    [90, '90 minutes'],
    [120, '2 hours'],
    [180, '3 hours'],
  ])('%i is "%s"', (minutes, words) => {
    expect(formatDuration(minutes)).toBe(words);
  });
});

describe('messageValues', () => {
  it('says the date and time on the site clock, in summer time', () => {
    const values = messageValues(facts({ start: t('2027-03-29T09:00:00Z') }));
    expect([values.date, values.time]).toEqual(['Monday 29 March', '10:00am']);
  });

  it('says the date and time on the site clock, in winter time after the clocks go back', () => {
    expect(messageValues(facts({ start: t('2027-10-30T10:30:00Z') }))).toMatchObject({ date: 'Saturday 30 October', time: '11:30am' });
    expect(messageValues(facts({ start: t('2027-10-31T10:30:00Z') }))).toMatchObject({ date: 'Sunday 31 October', time: '10:30am' });
  });

  it('uses the site zone for the day as well as the hour', () => {
    // 23:30 UTC on the 30th is half past midnight on 1 July in London.
    expect(messageValues(facts({ start: t('2027-06-30T23:30:00Z') }))).toMatchObject({ date: 'Thursday 1 July', time: '12:30am' });
    expect(messageValues(facts({ start: t('2027-06-30T23:30:00Z'), zone: 'UTC' }))).toMatchObject({ date: 'Wednesday 30 June', time: '11:30pm' });
  });

  it('writes afternoon times on the twelve-hour clock', () => {
    expect(messageValues(facts({ start: t('2027-01-11T12:05:00Z') })).time).toBe('12:05pm');
    expect(messageValues(facts({ start: t('2027-01-11T14:00:00Z') })).time).toBe('2:00pm');
  });

  it('matches the London wall clock at any minute of 2027-2028, both clock changes included', () => {
    const instant = fc.integer({ min: t('2027-01-01T00:00:00Z') / 60000, max: t('2028-12-31T00:00:00Z') / 60000 }).map((m) => m * 60000);
    fc.assert(
      fc.property(instant, (start) => {
        const values = messageValues(facts({ start }));
        expect({ date: values.date, time: values.time }).toEqual(londonWords(start));
      }),
      { numRuns: 300 },
    );
  });

  it('greets the customer by first name only', () => {
    expect(messageValues(facts({ customerName: 'Priya Shah' })).name).toBe('Priya');
    expect(messageValues(facts({ customerName: '  Mary-Jane   van der Berg ' })).name).toBe('Mary-Jane');
    expect(messageValues(facts({ customerName: 'Priya\tShah' })).name).toBe('Priya');
    expect(messageValues(facts({ customerName: 'Cher' })).name).toBe('Cher');
  });

  it('adds the postcode to the address', () => {
    expect(messageValues(facts({ address: '1 Park Row, Leeds', postcode: ' LS1 5AB ' })).address).toBe('1 Park Row, Leeds, LS1 5AB');
  });

  it('does not repeat a postcode the address already has, in any case', () => {
    expect(messageValues(facts({ address: '1 Park Row, Leeds LS1 5AB', postcode: 'LS1 5AB' })).address).toBe('1 Park Row, Leeds LS1 5AB');
    expect(messageValues(facts({ address: '1 Park Row, Leeds ls1 5ab', postcode: 'LS1 5AB' })).address).toBe('1 Park Row, Leeds ls1 5ab');
  });

  it('passes names and the duration through', () => {
    expect(messageValues(facts({ durationMinutes: 90 }))).toMatchObject({
      adviser: 'Sam Jones',
      appointment: 'Careers guidance',
      site: 'Leeds Jobcentre',
      duration: '90 minutes',
      description: 'A conversation about your next steps.',
      bring: 'Your CV.',
    });
  });

  it('describes the appointment and what to bring when the appointment type says nothing', () => {
    const values = messageValues(facts({ description: null, whatToBring: null }));
    expect(values.description).toMatch(/careers adviser/);
    expect(values.bring).toMatch(/CV/);
  });

  it('has defaults that fit their placeholders whole, so they are never cut', () => {
    const values = messageValues(facts({ description: null, whatToBring: null }));
    expect(render('{{description}}', values)).toBe(values.description);
    expect(render('{{bring}}', values)).toBe(values.bring);
    expect(Array.from(values.description).length).toBeLessThanOrEqual(PLACEHOLDER_LIMITS.description);
  });
});
