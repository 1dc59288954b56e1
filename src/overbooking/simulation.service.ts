import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outcome } from '../attendance/domain/outcomes';
import { ShowModel, showProbability, trainShowModel } from '../attendance/domain/show-model';
import { ShowSignals } from '../attendance/domain/show-signals';
import { DEFAULT_SHOW_RATE } from '../attendance/domain/training-set';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { localDateOf } from '../common/time/local-time';
import { requireSite } from '../sites/require-site';
import { DiaryPattern, Interval, OpeningHours } from '../diaries/domain/availability';
import { BankHolidayRegion, bankHolidaysBetween } from '../sites/domain/bank-holidays';
import { LoadedType, DiaryLoader } from '../slots/diary.loader';
import { policyProblems, resolvePolicy } from './domain/policy';
import { FAIRNESS_LIMIT, MIN_RECORDED_OUTCOMES, replay, ReplayDiary, ReplayedPolicy, ReplayPeriod, replayPeriod, ReplayRecord, ReplayTooLarge, REPLAY_DEMAND, REPLAY_WEEKS } from './domain/replay';
import { SimulationDto, SimulationRunView, SimulationView } from './dto/simulation.dto';

interface RecordRow {
  customer_reference: string;
  arranged_at: number;
  starts_at: number;
  outcome: Outcome;
  referral_source: ShowSignals['referralSource'];
  show_probability: number | null;
  lead_days: number;
  mandatory: boolean;
  weekday: number;
  hour: number;
  reminder_state: ShowSignals['reminder'] | null;
  channel: ShowSignals['channel'];
  showed: number | null;
  missed: number | null;
}

// Figures for people to read, as on the day sheet; the fairness flag is decided on the exact ratio.
const rounded = (x: number) => Math.round(x * 10_000) / 10_000;
const roundedOrNull = (x: number | null) => (x === null ? null : rounded(x));

/**
 * Tuning by simulation (issue 8 point 6): a site's recent weeks replayed under a candidate
 * overbooking policy, beside off and a curve of risk targets. It reads and never writes:
 * one read-only transaction, so the diary, the records and the model are seen as of one
 * instant, and nothing is booked whatever the code below does.
 */
@Injectable()
export class SimulationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly loader: DiaryLoader,
    private readonly clock: Clock,
  ) {}

  async simulate(principal: Principal, siteId: string, dto: SimulationDto): Promise<SimulationView> {
    if (!mayManageSite(principal, siteId)) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    const weeks = dto.weeks ?? REPLAY_WEEKS.default;
    const demand = dto.demand ?? REPLAY_DEMAND.default;
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const { timezone } = await requireSite(manager, siteId);
      const now = this.clock.now();
      const period = replayPeriod(timezone, now, weeks);
      const type = await this.loader.type(dto.appointmentType ?? (await this.busiestType(manager, siteId, period)), manager);
      const problems = policyProblems(dto.policy, type);
      if (problems.length) {
        const details = problems.map((p) => ({ field: `policy.${p.field}`, problems: [`${p.field} ${p.message}`] }));
        throw new AppError(400, 'VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.problems[0]}`).join('. '), details);
      }

      const records = await this.records(manager, siteId, type, period);
      if (records.length < MIN_RECORDED_OUTCOMES) {
        throw new AppError(422, 'NOT_ENOUGH_HISTORY', `Only ${records.length} appointments of ${type.code} with an outcome at this site from ${period.from} to ${period.to}; a simulation needs at least ${MIN_RECORDED_OUTCOMES}`);
      }
      const diary = await this.diary(manager, siteId, type, period, localDateOf(now, timezone));
      const result = this.replay(diary, records, period, dto, demand, `${siteId}|${type.code}|${period.from}`);
      if (!result) throw new AppError(422, 'NO_DIARY', `No adviser's diary at this site offers ${type.code} on the days replayed`);
      return {
        siteId,
        appointmentType: type.code,
        timezone,
        from: period.from,
        to: period.to,
        weeks,
        assumedDemand: demand,
        replayed: { recordedOutcomes: records.length, sessions: result.sessions, seats: result.seats, requests: result.requests, showRate: rounded(result.showRate) },
        policy: runView(result.candidate),
        off: runView(result.off),
        curve: result.curve.map(runView),
      };
    });
  }

  private replay(diary: ReplayDiary, records: ReplayRecord[], period: ReplayPeriod, dto: SimulationDto, demand: number, seed: string) {
    try {
      return replay(diary, records, period, resolvePolicy(dto.policy), { demand, seed });
    } catch (error) {
      if (!(error instanceof ReplayTooLarge)) throw error;
      throw new AppError(422, 'SIMULATION_TOO_LARGE', `${error.message}: ask for fewer weeks or a lower demand`);
    }
  }

  /** Without a type named, the one the site recorded most outcomes of in the weeks replayed. */
  private async busiestType(manager: EntityManager, siteId: string, period: ReplayPeriod): Promise<string> {
    const [busiest]: { code: string }[] = await manager.query(
      `SELECT t.code FROM attendance_records r JOIN appointment_types t ON t.id = r.appointment_type_id
        WHERE r.site_id = $1 AND r.starts_at >= $2 AND r.starts_at < $3 AND NOT r.cancelled AND r.outcome IS NOT NULL
        GROUP BY t.code ORDER BY count(*) DESC, t.code LIMIT 1`,
      [siteId, new Date(period.range.start), new Date(period.range.end)],
    );
    if (!busiest) throw new AppError(422, 'NOT_ENOUGH_HISTORY', `No appointment with an outcome at this site from ${period.from} to ${period.to}`);
    return busiest.code;
  }

  /**
   * The recorded appointments of the type with an outcome, each with the show probability it
   * was booked with: a live booking's own, or for an imported one what the live model says of
   * it as it stood when it was booked (the customer's record then, its lead time, and so on).
   */
  private async records(manager: EntityManager, siteId: string, type: LoadedType, period: ReplayPeriod): Promise<ReplayRecord[]> {
    const rows: RecordRow[] = await manager.query(
      `SELECT r.customer_reference, (extract(epoch FROM r.arranged_at) * 1000)::float8 AS arranged_at, (extract(epoch FROM r.starts_at) * 1000)::float8 AS starts_at,
              r.outcome, r.referral_source, b.show_probability, r.lead_days, r.mandatory, r.weekday, r.hour, r.reminder_state, t.channel,
              CASE WHEN b.show_probability IS NULL THEN (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = r.customer_reference
                                                          AND p.starts_at < r.arranged_at AND p.outcome IN ('attended', 'late', 'left_unseen'))::int END AS showed,
              CASE WHEN b.show_probability IS NULL THEN (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = r.customer_reference
                                                          AND p.starts_at < r.arranged_at AND p.outcome = 'dna')::int END AS missed
         FROM attendance_records r
         JOIN appointment_types t ON t.id = r.appointment_type_id
         LEFT JOIN bookings b ON b.id = r.booking_id
        WHERE r.site_id = $1 AND r.appointment_type_id = $2 AND r.starts_at >= $3 AND r.starts_at < $4 AND NOT r.cancelled AND r.outcome IS NOT NULL
        ORDER BY r.starts_at, r.id`,
      [siteId, type.id, new Date(period.range.start), new Date(period.range.end)],
    );
    const live = rows.some((r) => r.show_probability === null) ? await this.liveModel(manager, siteId) : null;
    return rows.map((r) => ({
      customerReference: r.customer_reference,
      arrangedAt: r.arranged_at,
      start: r.starts_at,
      outcome: r.outcome,
      referralSource: r.referral_source,
      predictedShow:
        r.show_probability ??
        showProbability(live!.model, {
          history: { showed: r.showed!, missed: r.missed! },
          siteShowRate: live!.siteShowRate,
          leadDays: r.lead_days,
          referralSource: r.referral_source,
          mandatory: r.mandatory,
          appointmentType: type.code,
          channel: r.channel,
          weekday: r.weekday,
          hour: r.hour,
          // As the model was trained on imports: they say nothing of reminders or confirmations.
          reminder: r.reminder_state ?? 'pending',
          confirmed: false,
        }),
    }));
  }

  private async liveModel(manager: EntityManager, siteId: string): Promise<{ model: ShowModel; siteShowRate: number }> {
    const [row]: { model: { model: ShowModel; siteShowRates: Record<string, number>; globalShowRate: number } }[] = await manager.query('SELECT model FROM show_models WHERE live');
    // Before any training, bookings are scored by the untrained fallback at the typical rate: so are these.
    if (!row) return { model: trainShowModel([]).model, siteShowRate: DEFAULT_SHOW_RATE };
    return { model: row.model.model, siteShowRate: row.model.siteShowRates[siteId] ?? row.model.globalShowRate };
  }

  /** The patterns at the site offering the type in force today, with the closures, bank holidays and absences of the replayed weeks. */
  private async diary(manager: EntityManager, siteId: string, type: LoadedType, period: ReplayPeriod, today: string): Promise<ReplayDiary> {
    const [site]: { timezone: string; opening_hours: OpeningHours | null; bank_holidays: BankHolidayRegion }[] = await manager.query(
      'SELECT timezone, opening_hours, bank_holidays FROM sites WHERE id = $1',
      [siteId],
    );
    const patterns: (DiaryPattern & { roomCapacity: number | null })[] = await manager.query(
      `SELECT p.id, p.adviser_id AS "adviserId", p.site_id AS "siteId", p.room_id AS "roomId", p.weekdays, to_char(p.start_time, 'HH24:MI') AS "startTime",
              to_char(p.end_time, 'HH24:MI') AS "endTime", p.valid_from::text AS "validFrom", p.valid_to::text AS "validTo", p.appointment_types AS "appointmentTypes",
              r.capacity AS "roomCapacity"
         FROM diary_patterns p LEFT JOIN rooms r ON r.id = p.room_id
        WHERE p.site_id = $1 AND $2 = ANY (p.appointment_types) AND p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to >= $3)
        ORDER BY p.adviser_id, p.start_time`,
      [siteId, type.code, today],
    );
    const closures: { date: string }[] = await manager.query('SELECT date::text AS date FROM site_closures WHERE site_id = $1 AND date BETWEEN $2 AND $3', [
      siteId,
      period.from,
      period.to,
    ]);
    const absences: { adviser_id: string; start: Date; end: Date }[] = await manager.query(
      'SELECT adviser_id, lower(period) AS start, upper(period) AS "end" FROM diary_exceptions WHERE adviser_id = ANY ($1) AND period && tstzrange($2, $3)',
      [[...new Set(patterns.map((p) => p.adviserId))], new Date(period.range.start), new Date(period.range.end)],
    );
    const blocks = new Map<string, Interval[]>();
    for (const a of absences) blocks.set(a.adviser_id, [...(blocks.get(a.adviser_id) ?? []), { start: a.start.getTime(), end: a.end.getTime() }]);
    return {
      site: {
        id: siteId,
        timezone: site.timezone,
        openingHours: site.opening_hours,
        closedDates: new Set([...closures.map((c) => c.date), ...bankHolidaysBetween(site.bank_holidays, period.from, period.to)]),
      },
      type,
      patterns: patterns.map(({ roomCapacity: _, ...pattern }) => pattern),
      absences: blocks,
      roomCapacities: new Map(patterns.flatMap((p) => (p.roomId && p.roomCapacity !== null ? [[p.roomId, p.roomCapacity] as const] : []))),
    };
  }
}

function runView(run: ReplayedPolicy): SimulationRunView {
  const { figures: f, policy } = run;
  return {
    label: run.label,
    policy,
    utilisation: rounded(f.utilisation),
    seen: f.seen,
    seenPerWeek: rounded(f.seenPerWeek),
    booked: f.booked,
    extras: f.extras,
    turnedAway: f.turnedAway,
    collisions: f.collisions,
    meanWaitMinutes: roundedOrNull(f.meanWaitMinutes),
    p95WaitMinutes: roundedOrNull(f.p95WaitMinutes),
    waitedShare: roundedOrNull(f.waitedShare),
    idleAdviserMinutes: rounded(f.idleAdviserMinutes),
    overtimeMinutes: rounded(f.overtimeMinutes),
    fairness: {
      atRiskDecileMeanWaitMinutes: roundedOrNull(f.fairness.atRiskDecileMeanWaitMinutes),
      atRiskDecileRatio: roundedOrNull(f.fairness.atRiskDecileRatio),
      limit: FAIRNESS_LIMIT,
      withinLimit: run.fair,
      byReferralSource: Object.entries(f.fairness.byReferralSource)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([referralSource, s]) => ({ referralSource, seen: s.seen, meanWaitMinutes: rounded(s.meanWaitMinutes) })),
    },
  };
}
