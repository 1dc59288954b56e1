import Holidays from 'date-holidays';

export const BANK_HOLIDAY_REGIONS = ['ENG', 'WLS', 'SCT', 'NIR', 'NONE'] as const;
export type BankHolidayRegion = (typeof BANK_HOLIDAY_REGIONS)[number];

const cache = new Map<string, ReadonlySet<string>>();

/** Public (bank) holidays of a UK nation in a year, as local "yyyy-MM-dd" dates. */
export function bankHolidays(region: BankHolidayRegion, year: number): ReadonlySet<string> {
  if (region === 'NONE') return new Set();
  const key = `${region}|${year}`;
  let dates = cache.get(key);
  if (!dates) {
    const calendar = new Holidays('GB', region);
    dates = new Set(calendar.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    cache.set(key, dates);
  }
  return dates;
}

/** Bank holidays between two local dates inclusive. */
export function bankHolidaysBetween(region: BankHolidayRegion, from: string, to: string): string[] {
  const result: string[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const date of bankHolidays(region, year)) if (date >= from && date <= to) result.push(date);
  }
  return result.sort();
}
