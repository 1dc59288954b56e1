import { isValidDate } from '../../common/time/local-time';
import type { FieldError } from '../book/customer-form';

/**
 * The day a page shows: typed into the GOV.UK date input (day, month, year), or from a link
 * (date=yyyy-MM-dd), or else `today`. A date that does not exist is said in the error summary
 * and today is shown instead.
 */
export function readDate(query: Record<string, unknown>, today: string): { date: string; errors: FieldError[]; typed: { day: string; month: string; year: string } } {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '');
  const typed = { day: text('day'), month: text('month'), year: text('year') };
  if (typed.day || typed.month || typed.year) {
    const date = `${typed.year.padStart(4, '0')}-${typed.month.padStart(2, '0')}-${typed.day.padStart(2, '0')}`;
    if (/^\d{4}$/.test(typed.year) && /^\d{1,2}$/.test(typed.month) && /^\d{1,2}$/.test(typed.day) && isValidDate(date)) return { date, errors: [], typed };
    return { date: today, errors: [{ href: '#date-day', text: 'Date must be a real date, like 4 1 2027' }], typed };
  }
  const linked = text('date');
  if (linked && isValidDate(linked)) return { date: linked, errors: [], typed: split(linked) };
  return { date: today, errors: linked ? [{ href: '#date-day', text: 'Date must be a real date, like 4 1 2027' }] : [], typed: split(today) };
}

const split = (date: string) => ({ year: date.slice(0, 4), month: String(Number(date.slice(5, 7))), day: String(Number(date.slice(8, 10))) });
