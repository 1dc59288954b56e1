import type { FieldError } from './customer-form';

export interface BookingSearch {
  appointmentType: string;
  siteIds: string[];
}

// As many as a work coach can sensibly tick; the API takes up to 200.
export const MAX_SITES = 20;

/** Reads the search (type and sites) from a query or a form, accepting only known codes and ids. */
export function bookingSearch(query: Record<string, unknown>, types: ReadonlySet<string>, sites: ReadonlySet<string>): { errors: FieldError[]; search?: BookingSearch } {
  const errors: FieldError[] = [];
  const type = typeof query.appointmentType === 'string' ? query.appointmentType : '';
  const ids = ([] as unknown[]).concat(query.siteId ?? []);
  if (!types.has(type)) errors.push({ href: '#appointmentType', text: 'Select the type of appointment' });
  if (!ids.length) errors.push({ href: '#siteId', text: 'Select at least one site' });
  else if (ids.length > MAX_SITES) errors.push({ href: '#siteId', text: `Select ${MAX_SITES} sites or fewer` });
  else if (!ids.every((id) => typeof id === 'string' && sites.has(id))) errors.push({ href: '#siteId', text: 'Select sites from the list' });
  if (errors.length) return { errors };
  return { errors, search: { appointmentType: type, siteIds: [...new Set(ids as string[])] } };
}

/** The search as the query string of the page that shows it. */
export function searchQuery(search: BookingSearch): string {
  const params = new URLSearchParams({ appointmentType: search.appointmentType });
  for (const id of search.siteIds) params.append('siteId', id);
  return params.toString();
}

const STEPS: Record<string, string> = { confirmation: 'Confirmation', days_before: 'Reminder', same_day: 'Reminder on the day', cancellation: 'Cancellation' };

/** A reminder plan step in plain words. */
export const stepLabel = (step: string): string => STEPS[step] ?? step.replace(/_/g, ' ');
