import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface CalendarEntry {
  bookingId: string;
  /** The booking's plan version: raised on each change, so calendars replace the old entry. */
  sequence: number;
  cancelled: boolean;
  start: number;
  end: number;
  summary: string;
  description: string;
  location: string;
  /** Domain for the event's UID, e.g. the service's host name. */
  domain: string;
}

/**
 * An iCalendar file for a booking. The UID is the booking's, so a later file for the same
 * booking (moved, or cancelled) updates the entry the customer already has. Times are in
 * UTC: every calendar shows them in its own zone, with no VTIMEZONE block to get wrong.
 */
export function bookingCalendar(entry: CalendarEntry): string {
  const calendar = ical({ prodId: { company: 'National Careers Service', product: 'careers-booking' }, method: ICalCalendarMethod.PUBLISH });
  calendar.createEvent({
    id: `booking-${entry.bookingId}@${entry.domain}`,
    sequence: entry.sequence,
    status: entry.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    start: new Date(entry.start),
    end: new Date(entry.end),
    summary: entry.summary,
    description: entry.description,
    location: entry.location,
  });
  return calendar.toString();
}
