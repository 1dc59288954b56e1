import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { mayManageSite, Principal } from '../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { DAY, localDay } from '../common/time/local-time';
import { dimensionLabel, dnaRate, GroupCounts, InsightDimension, LEAD_TIME_BUCKETS } from './domain/insights';
import { Outcome, OUTCOMES } from './domain/outcomes';
import { InsightGroupView, InsightsQuery, InsightsView } from './dto/insights.dto';

const MAX_RANGE_DAYS = 731;

const leadBucketSql = `CASE ${LEAD_TIME_BUCKETS.filter((b) => b.max !== Infinity).map((b) => `WHEN r.lead_days <= ${b.max} THEN '${b.label}'`).join(' ')} ELSE '${LEAD_TIME_BUCKETS.at(-1)!.label}' END`;

// Each dimension as columns of attendance_records, where it was worked out when the row was
// written: grouped on the raw column, and turned into what the answer shows only once per
// group (converting two million ids or dates to text costs more than the grouping itself).
const DIMENSION_SQL: Record<InsightDimension, { group: string; show?: string }> = {
  site: { group: 'r.site_id', show: 'r.site_id::text' },
  adviser: { group: 'r.adviser_id', show: 'r.adviser_id::text' },
  appointmentType: { group: 'r.appointment_type_id', show: 'r.appointment_type_id::text' },
  weekday: { group: 'r.weekday', show: 'r.weekday::int' },
  hour: { group: 'r.hour', show: 'r.hour::int' },
  leadTimeBucket: { group: leadBucketSql },
  referralSource: { group: 'r.referral_source' },
  referrer: { group: 'r.referrer_name' },
  mandatory: { group: 'r.mandatory' },
  reminderVariant: { group: 'r.message_variant' },
  reminderDelivered: { group: 'r.reminder_state' },
  // The Monday of the local week.
  week: { group: 'r.local_date - (r.weekday - 1)', show: `to_char(r.local_date - (r.weekday - 1), 'YYYY-MM-DD')` },
};

// Dimensions whose values are ids, shown by name.
const NAMES: Partial<Record<InsightDimension, string>> = {
  site: 'SELECT id::text AS id, name FROM sites WHERE id = ANY ($1::uuid[])',
  adviser: 'SELECT id::text AS id, name FROM advisers WHERE id = ANY ($1::uuid[])',
  appointmentType: 'SELECT id::text AS id, code AS name FROM appointment_types WHERE id = ANY ($1::uuid[])',
};

type Key = string | number | boolean | null;
type Row = Record<string, Key> & { cancelled: boolean; outcome: Outcome | null; n: number };

const emptyCounts = (): GroupCounts => ({ bookings: 0, cancelledInAdvance: 0, outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as GroupCounts['outcomes'], noOutcome: 0 });

function add(counts: GroupCounts, row: Row): void {
  if (row.cancelled) counts.cancelledInAdvance += row.n;
  else {
    counts.bookings += row.n;
    if (row.outcome) counts.outcomes[row.outcome] += row.n;
    else counts.noOutcome += row.n;
  }
}

/**
 * DNA patterns: one scan of attendance_records, grouped by up to two dimensions, with the
 * total in the same scan. Live bookings and imported history are counted alike.
 */
@Injectable()
export class InsightsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async dna(principal: Principal, query: InsightsQuery): Promise<InsightsView> {
    const zone = this.config.DEFAULT_TIMEZONE;
    const start = localDay(zone, query.from).start;
    const end = localDay(zone, query.to).end;
    if (end <= start) throw new AppError(400, 'INVALID_RANGE', '"to" must not be before "from"');
    if (end - start > (MAX_RANGE_DAYS + 1) * DAY) throw new AppError(400, 'RANGE_TOO_LARGE', `Ask for at most ${MAX_RANGE_DAYS} days at a time`);
    const dimensions = [...new Set(query.groupBy)];
    const params: unknown[] = [new Date(start), new Date(end)];
    const where = ['r.starts_at >= $1', 'r.starts_at < $2'];
    if (query.siteId?.length) where.push(`r.site_id = ANY ($${params.push(query.siteId)}::uuid[])`);
    // An organisation sees its own referrals and the appointments its advisers held; a site's
    // managers see everything at the sites they manage, as they run them whoever referred.
    const scoped = !principal.admin && !(query.siteId?.length && query.siteId.every((id) => mayManageSite(principal, id)));
    if (scoped) where.push(`(r.organisation_id = $${params.push(principal.organisationId)} OR a.organisation_id = $${params.length})`);
    // One row per group and outcome, added up here: a plain GROUP BY can run in parallel, GROUPING SETS cannot.
    const rows: Row[] = await this.dataSource.transaction(async (manager) => {
      // Site by weekday over every site is ~45,000 groups a year: past the default 4 MB the
      // groups are sorted on disk; in memory the statement takes a quarter less time.
      await manager.query(`SET LOCAL work_mem = '64MB'`);
      return manager.query(
        `SELECT ${dimensions.map((d, i) => `${DIMENSION_SQL[d].show ?? DIMENSION_SQL[d].group} AS k${i}`).join(', ')}, r.cancelled, r.outcome, count(*)::int AS n
           FROM attendance_records r ${scoped ? 'JOIN advisers a ON a.id = r.adviser_id' : ''}
          WHERE ${where.join(' AND ')}
          GROUP BY ${dimensions.map((d) => DIMENSION_SQL[d].group).join(', ')}, r.cancelled, r.outcome`,
        params,
      );
    });
    const total = emptyCounts();
    const groups = new Map<string, { key: Record<string, Key>; counts: GroupCounts }>();
    for (const row of rows) {
      const key = Object.fromEntries(dimensions.map((d, i) => [d, row[`k${i}`]]));
      const id = JSON.stringify(key);
      if (!groups.has(id)) groups.set(id, { key, counts: emptyCounts() });
      add(groups.get(id)!.counts, row);
      add(total, row);
    }
    const names = await this.names(dimensions, [...groups.values()].map((g) => g.key));
    const view = (key: Record<string, Key>, counts: GroupCounts): InsightGroupView => ({
      key,
      labels: Object.fromEntries(dimensions.map((d) => [d, names.get(String(key[d])) ?? dimensionLabel(d, key[d])])),
      ...counts,
      ...dnaRate(counts),
    });
    return {
      from: query.from,
      to: query.to,
      groupBy: dimensions,
      total: { key: {}, labels: {}, ...total, ...dnaRate(total) },
      groups: [...groups.values()].map((g) => view(g.key, g.counts)).sort((a, b) => b.bookings - a.bookings),
    };
  }

  private async names(dimensions: InsightDimension[], keys: Record<string, Key>[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const dimension of dimensions) {
      const sql = NAMES[dimension];
      if (!sql) continue;
      const ids = [...new Set(keys.map((k) => k[dimension]).filter((v): v is string => typeof v === 'string'))];
      for (const { id, name } of await this.dataSource.query(sql, [ids])) names.set(id, name);
    }
    return names;
  }
}
