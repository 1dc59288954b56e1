import { isValidDate } from '../../common/time/local-time';
import type { FieldError } from '../book/customer-form';

/** A GOV.UK date input: its id (the link's parameter too), what its parts are called, and its name in an error. */
export interface DateField {
  id: string;
  /** Put before day, month and year in the parts' names. */
  prefix: string;
  label: string;
}

const DAY_FIELD: DateField = { id: 'date', prefix: '', label: 'Date' };

/**
 * The day a page shows: typed into the GOV.UK date input (day, month, year), or from a link
 * (date=yyyy-MM-dd, or the field's id), or else `fallback`. A date that does not exist is said
 * in the error summary and the fallback is shown instead.
 */
export function readDate(query: Record<string, unknown>, fallback: string, field: DateField = DAY_FIELD): { date: string; errors: FieldError[]; typed: { day: string; month: string; year: string } } {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '');
  const typed = { day: text(`${field.prefix}day`), month: text(`${field.prefix}month`), year: text(`${field.prefix}year`) };
  const errors = [{ href: `#${field.id}-day`, text: `${field.label} must be a real date, like 4 1 2027` }];
  if (typed.day || typed.month || typed.year) {
    const date = `${typed.year.padStart(4, '0')}-${typed.month.padStart(2, '0')}-${typed.day.padStart(2, '0')}`;
    if (/^\d{4}$/.test(typed.year) && /^\d{1,2}$/.test(typed.month) && /^\d{1,2}$/.test(typed.day) && isValidDate(date)) return { date, errors: [], typed };
    return { date: fallback, errors, typed };
  }
  const linked = text(field.id);
  if (linked && isValidDate(linked)) return { date: linked, errors: [], typed: split(linked) };
  return { date: fallback, errors: linked ? errors : [], typed: split(fallback) };
}

const split = (date: string) => ({ year: date.slice(0, 4), month: String(Number(date.slice(5, 7))), day: String(Number(date.slice(8, 10))) });
