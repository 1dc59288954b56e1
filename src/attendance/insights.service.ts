import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { DAY, localDay } from '../common/time/local-time';
import { dimensionLabel, dnaRate, GroupCounts, InsightDimension, LEAD_TIME_BUCKETS } from './domain/insights';
import { OUTCOMES } from './domain/outcomes';
import { InsightGroupView, InsightsQuery, InsightsView } from './dto/insights.dto';

const MAX_RANGE_DAYS = 731;

const leadBucketSql = `CASE ${LEAD_TIME_BUCKETS.filter((b) => b.max !== Infinity).map((b) => `WHEN r.lead_days <= ${b.max} THEN '${b.label}'`).join(' ')} ELSE '${LEAD_TIME_BUCKETS.at(-1)!.label}' END`;

// Each dimension as a column of attendance_records, where it was worked out when the row was written.
const DIMENSION_SQL: Record<InsightDimension, string> = {
  site: 'r.site_id::text',
  adviser: 'r.adviser_id::text',
  appointmentType: 'r.appointment_type_id::text',
  weekday: 'r.weekday::int',
  hour: 'r.hour::int',
  leadTimeBucket: leadBucketSql,
  referralSource: 'r.referral_source',
  referrer: 'r.referrer_name',
  mandatory: 'r.mandatory',
  reminderVariant: 'r.message_variant',
  reminderDelivered: 'r.reminder_state',
  week: `to_char(date_trunc('week', r.local_date), 'YYYY-MM-DD')`,
};

// Dimensions whose values are ids, shown by name.
const NAMES: Partial<Record<InsightDimension, string>> = {
  site: 'SELECT id::text AS id, name FROM sites WHERE id = ANY ($1::uuid[])',
  adviser: 'SELECT id::text AS id, name FROM advisers WHERE id = ANY ($1::uuid[])',
  appointmentType: 'SELECT id::text AS id, code AS name FROM appointment_types WHERE id = ANY ($1::uuid[])',
};

type Row = Record<string, string | number | boolean | null> & { total: boolean };

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
    const exprs = dimensions.map((d) => DIMENSION_SQL[d]).join(', ');
    const params: unknown[] = [new Date(start), new Date(end)];
    const where = ['r.starts_at >= $1', 'r.starts_at < $2'];
    if (query.siteId?.length) where.push(`r.site_id = ANY ($${params.push(query.siteId)}::uuid[])`);
    // An organisation sees its own referrals and the appointments its advisers held.
    const scoped = !principal.admin;
    if (scoped) where.push(`(r.organisation_id = $${params.push(principal.organisationId)} OR a.organisation_id = $${params.length})`);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${dimensions.map((d, i) => `${DIMENSION_SQL[d]} AS k${i}`).join(', ')}, GROUPING(${exprs}) <> 0 AS total,
              count(*) FILTER (WHERE NOT r.cancelled)::int AS bookings,
              count(*) FILTER (WHERE r.cancelled)::int AS cancelled,
              ${OUTCOMES.map((o) => `count(*) FILTER (WHERE r.outcome = '${o}')::int AS ${o}`).join(', ')},
              count(*) FILTER (WHERE NOT r.cancelled AND r.outcome IS NULL)::int AS no_outcome
         FROM attendance_records r ${scoped ? 'JOIN advisers a ON a.id = r.adviser_id' : ''}
        WHERE ${where.join(' AND ')}
        GROUP BY GROUPING SETS ((${exprs}), ())`,
      params,
    );
    const names = await this.names(dimensions, rows);
    const view = (row: Row): InsightGroupView => {
      const key = Object.fromEntries(dimensions.map((d, i) => [d, row[`k${i}`]]));
      const labels = Object.fromEntries(dimensions.map((d) => [d, names.get(String(key[d])) ?? dimensionLabel(d, key[d])]));
      const counts: GroupCounts = {
        bookings: Number(row.bookings),
        cancelledInAdvance: Number(row.cancelled),
        outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, Number(row[o])])) as GroupCounts['outcomes'],
        noOutcome: Number(row.no_outcome),
      };
      return { key, labels, ...counts, ...dnaRate(counts) };
    };
    const totalRow = rows.find((r) => r.total);
    const empty = { total: true, bookings: 0, cancelled: 0, no_outcome: 0, ...Object.fromEntries(OUTCOMES.map((o) => [o, 0])) } as Row;
    const total = view(totalRow ?? empty);
    return {
      from: query.from,
      to: query.to,
      groupBy: dimensions,
      total: { ...total, key: {}, labels: {} },
      groups: rows.filter((r) => !r.total).map(view).sort((a, b) => b.bookings - a.bookings),
    };
  }

  private async names(dimensions: InsightDimension[], rows: Row[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const [i, dimension] of dimensions.entries()) {
      const sql = NAMES[dimension];
      if (!sql) continue;
      const ids = [...new Set(rows.map((r) => r[`k${i}`]).filter((v): v is string => typeof v === 'string'))];
      for (const { id, name } of await this.dataSource.query(sql, [ids])) names.set(id, name);
    }
    return names;
  }
}
