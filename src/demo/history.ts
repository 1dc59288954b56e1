import { DataSource } from 'typeorm';
import { generateHistory } from '../attendance/domain/synthetic-history';
import { insertHistory, syntheticRecord } from '../attendance/history-records';
import { addDays, DAY, isoWeekday, localDateOf } from '../common/time/local-time';
import { DEMO_CUSTOMERS } from './demo-data';

const WEEKS = 52;
/** About what one adviser sees in a week across their sites. */
const APPOINTMENTS_PER_ADVISER_WEEK = 20;

/**
 * A year of past appointments at the demo's sites, generated with a known hidden model
 * (src/attendance/domain/synthetic-history.ts), so that DNA insights and the show model have
 * something to work on from the first minute. A few of the generated customers are the demo
 * customers, so their new bookings come with a record. Returns how many were stored.
 */
export async function seedHistory(dataSource: DataSource, zone: string, now: number): Promise<number> {
  const sites: { id: string; zone: string }[] = await dataSource.query('SELECT id::text, timezone AS zone FROM sites ORDER BY name');
  const advisers: { id: string; siteIds: string[] }[] = await dataSource.query(
    'SELECT adviser_id::text AS id, array_agg(DISTINCT site_id::text ORDER BY site_id::text) AS "siteIds" FROM diary_patterns GROUP BY adviser_id ORDER BY adviser_id',
  );
  const appointmentTypes = await dataSource.query(`SELECT code, duration_minutes AS "durationMinutes", channel FROM appointment_types WHERE capacity = 1 ORDER BY code`);
  const today = localDateOf(now, zone);
  const thisMonday = addDays(today, 1 - isoWeekday(today));
  const rows = generateHistory({
    seed: 'careers-demo',
    from: addDays(thisMonday, -7 * WEEKS),
    weeks: WEEKS,
    sites,
    advisers,
    appointmentTypes,
    appointmentsPerWeek: APPOINTMENTS_PER_ADVISER_WEEK * advisers.length,
  }).filter((row) => row.start + DAY < now);
  const demoReference = new Map<string, string>();
  for (const row of rows) {
    if (demoReference.size === DEMO_CUSTOMERS.length) break;
    if (!demoReference.has(row.customerReference)) demoReference.set(row.customerReference, DEMO_CUSTOMERS[demoReference.size].reference);
  }
  const records = rows.map((row) => syntheticRecord({ ...row, customerReference: demoReference.get(row.customerReference) ?? row.customerReference }));
  return insertHistory((sql, params) => dataSource.query(sql, params), records);
}
