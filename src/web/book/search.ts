import type { FieldError } from './customer-form';

export interface BookingSearch {
  appointmentType: string;
  /** The work coach's jobcentre: the search takes the sites near it. */
  nearSiteId: string;
}

/** Reads the search (type and jobcentre) from a query or a form, accepting only known codes and ids. */
export function bookingSearch(query: Record<string, unknown>, types: ReadonlySet<string>, sites: ReadonlySet<string>): { errors: FieldError[]; search?: BookingSearch } {
  const errors: FieldError[] = [];
  const type = typeof query.appointmentType === 'string' ? query.appointmentType : '';
  const near = typeof query.nearSiteId === 'string' ? query.nearSiteId : '';
  if (!types.has(type)) errors.push({ href: '#appointmentType', text: 'Select the type of appointment' });
  if (!near) errors.push({ href: '#nearSiteId', text: 'Select your jobcentre' });
  else if (!sites.has(near)) errors.push({ href: '#nearSiteId', text: 'Select your jobcentre from the list' });
  if (errors.length) return { errors };
  return { errors, search: { appointmentType: type, nearSiteId: near } };
}

/** The search as the query string of the page that shows it. */
export function searchQuery(search: BookingSearch): string {
  return new URLSearchParams({ appointmentType: search.appointmentType, nearSiteId: search.nearSiteId }).toString();
}

const STEPS: Record<string, string> = { confirmation: 'Confirmation', days_before: 'Reminder', same_day: 'Reminder on the day', cancellation: 'Cancellation' };

/** A reminder plan step in plain words. */
export const stepLabel = (step: string): string => STEPS[step] ?? step.replace(/_/g, ' ');
