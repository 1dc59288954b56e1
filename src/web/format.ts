import { DateTime } from 'luxon';

/** "Monday 4 January 2027 at 9:30am", on the site's clock, as GOV.UK writes dates and times. */
export function spokenDateTime(instant: string | number | Date, zone: string): string {
  const at = DateTime.fromMillis(new Date(instant).getTime(), { zone });
  return `${at.toFormat('cccc d LLLL yyyy')} at ${spokenTime(at)}`;
}

/** "9:30am", "12pm" (midday), "4pm". */
export function spokenTime(at: DateTime): string {
  if (at.hour === 12 && at.minute === 0) return 'midday';
  const hour = at.hour % 12 === 0 ? 12 : at.hour % 12;
  return `${hour}${at.minute ? `:${String(at.minute).padStart(2, '0')}` : ''}${at.hour < 12 ? 'am' : 'pm'}`;
}
