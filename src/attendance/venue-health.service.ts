import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { addDays, localDateOf, localDay } from '../common/time/local-time';
import { requireSite } from '../sites/require-site';
import { GroupCounts } from './domain/insights';
import { DEFAULT_HEALTH_WEEKS, healthWeeks, referralFlow, wholeWeeksBefore } from './domain/venue-health';
import { VenueHealthView } from './dto/venue-health.dto';
import { InsightsService } from './insights.service';

/**
 * How a venue is doing week by week: referrals made to it, and how its appointments turned
 * out (through the DNA insights, grouped by week), with the warning when referrals dry up.
 * For the site's managers, like its policy.
 */
@Injectable()
export class VenueHealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly insights: InsightsService,
    private readonly clock: Clock,
  ) {}

  async health(principal: Principal, siteId: string, weekCount = DEFAULT_HEALTH_WEEKS): Promise<VenueHealthView> {
    if (!mayManageSite(principal, siteId)) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    const { timezone } = await requireSite(this.dataSource, siteId);
    const weeks = wholeWeeksBefore(localDateOf(this.clock.now(), timezone), weekCount);
    const from = weeks[0];
    const to = addDays(weeks.at(-1)!, 6);
    const start = new Date(localDay(timezone, from).start);
    const end = new Date(localDay(timezone, to).end);
    const [outcomes, made] = await Promise.all([
      this.insights.dna(principal, { from, to, siteId: [siteId], groupBy: ['week'] }),
      // A booking is made before its appointment, so the site's index on start narrows the scan to those made in range or later.
      this.dataSource.query<{ week: string; n: number }[]>(
        `SELECT to_char(date_trunc('week', arranged_at AT TIME ZONE $2), 'YYYY-MM-DD') AS week, count(*)::int AS n
           FROM attendance_records
          WHERE site_id = $1 AND starts_at >= $3 AND arranged_at >= $3 AND arranged_at < $4
          GROUP BY 1`,
        [siteId, timezone, start, end],
      ),
    ]);
    const appointments = new Map<string, GroupCounts>(outcomes.groups.map((g) => [String(g.key.week), g]));
    const rows = healthWeeks(weeks, new Map(made.map((r) => [r.week, r.n])), appointments);
    return { siteId, from, to, weeks: rows, referralFlow: referralFlow(rows.map((r) => r.referrals)) };
  }
}
