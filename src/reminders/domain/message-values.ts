import { DateTime } from 'luxon';
import { MessageValues } from './templates';

/** What messages about one booking say, as stored. */
export interface BookingFacts {
  customerName: string;
  adviserName: string;
  appointmentName: string;
  description: string | null;
  whatToBring: string | null;
  durationMinutes: number;
  siteName: string;
  address: string;
  postcode: string;
  start: number;
  zone: string;
}

const DEFAULT_DESCRIPTION =
  'A free, one-to-one conversation with a qualified careers adviser about your skills, the work or learning you could go for, and the next steps to get there.';
const DEFAULT_BRING = 'Your CV if you have one, and any job adverts or courses you are interested in.';

export function formatDuration(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}

/** Plain English, in the site's zone: "Tuesday 1 December", "9:30am". */
export function messageValues(facts: BookingFacts): MessageValues {
  const start = DateTime.fromMillis(facts.start, { zone: facts.zone });
  const postcode = facts.postcode.trim();
  return {
    name: facts.customerName.trim().split(/\s+/)[0],
    adviser: facts.adviserName,
    appointment: facts.appointmentName,
    description: facts.description ?? DEFAULT_DESCRIPTION,
    duration: formatDuration(facts.durationMinutes),
    bring: facts.whatToBring ?? DEFAULT_BRING,
    site: facts.siteName,
    address: facts.address.toUpperCase().includes(postcode.toUpperCase()) ? facts.address : `${facts.address}, ${postcode}`,
    date: start.toFormat('cccc d LLLL'),
    time: start.toFormat('h:mma').toLowerCase(),
  };
}
