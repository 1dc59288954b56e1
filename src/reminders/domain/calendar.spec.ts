import fc from 'fast-check';
import { bookingCalendar, CalendarEntry } from './calendar';

const entry = (overrides: Partial<CalendarEntry> = {}): CalendarEntry => ({
  bookingId: '5f0c6a2e-4b1d-4c8e-9a7f-2d3e4f5a6b7c',
  sequence: 1,
  cancelled: false,
  // 10:00-11:00 BST.
  start: Date.parse('2027-03-29T09:00:00Z'),
  end: Date.parse('2027-03-29T10:00:00Z'),
  summary: 'Careers guidance with Sam Jones',
  description: 'A conversation about your next steps.\n\nWhat to bring: Your CV.',
  location: 'Leeds Jobcentre, 1 Park Row, Leeds, LS1 5AB',
  domain: 'bookings.example.gov.uk',
  ...overrides,
});

/** The event's properties, with long lines unfolded as RFC 5545 says a reader must. */
function eventFields(ics: string): Map<string, string> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const event = lines.slice(lines.indexOf('BEGIN:VEVENT') + 1, lines.indexOf('END:VEVENT'));
  return new Map(event.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
}

describe('bookingCalendar', () => {
  it('is one event named after the booking, so a later file replaces it in the calendar', () => {
    const ics = bookingCalendar(entry());
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(eventFields(ics).get('UID')).toBe('booking-5f0c6a2e-4b1d-4c8e-9a7f-2d3e4f5a6b7c@bookings.example.gov.uk');
  });

  it('carries the sequence it is given', () => {
    expect(eventFields(bookingCalendar(entry({ sequence: 1 }))).get('SEQUENCE')).toBe('1');
    expect(eventFields(bookingCalendar(entry({ sequence: 4 }))).get('SEQUENCE')).toBe('4');
  });

  it('is confirmed for a booking and cancelled for a cancellation', () => {
    expect(eventFields(bookingCalendar(entry({ cancelled: false }))).get('STATUS')).toBe('CONFIRMED');
    expect(eventFields(bookingCalendar(entry({ cancelled: true }))).get('STATUS')).toBe('CANCELLED');
  });

  it('gives the times in UTC, with no time zone for a calendar to get wrong', () => {
    const ics = bookingCalendar(entry());
    const fields = eventFields(ics);
    expect(fields.get('DTSTART')).toBe('20270329T090000Z');
    expect(fields.get('DTEND')).toBe('20270329T100000Z');
    expect(ics).not.toMatch(/TZID|VTIMEZONE/);
  });

  it('says what, where and about what, with commas escaped as iCalendar text requires', () => {
    const fields = eventFields(bookingCalendar(entry()));
    expect(fields.get('SUMMARY')).toBe('Careers guidance with Sam Jones');
    expect(fields.get('LOCATION')).toBe('Leeds Jobcentre\\, 1 Park Row\\, Leeds\\, LS1 5AB');
    expect(fields.get('DESCRIPTION')).toBe('A conversation about your next steps.\\n\\nWhat to bring: Your CV.');
  });

  it('keeps a long summary whole once its folded lines are joined', () => {
    const summary = `Careers guidance with ${'a very long adviser name '.repeat(6).trim()}`;
    const ics = bookingCalendar(entry({ summary }));
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(eventFields(ics).get('SUMMARY')).toBe(summary);
  });

  it('names a booking the same in every version of its file, and no other booking so', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.nat(1000), fc.nat(1000), fc.boolean(), (id, other, first, later, cancelled) => {
        const uid = (bookingId: string, sequence: number, isCancelled: boolean) =>
          eventFields(bookingCalendar(entry({ bookingId, sequence, cancelled: isCancelled }))).get('UID');
        expect(uid(id, first, false)).toBe(uid(id, later, cancelled));
        expect(uid(id, first, false)).toBe(`booking-${id}@bookings.example.gov.uk`);
        if (other !== id) expect(uid(other, first, false)).not.toBe(uid(id, first, false));
      }),
      { numRuns: 100 },
    );
  });
});
