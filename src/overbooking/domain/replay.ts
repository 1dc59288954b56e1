import { Outcome, showed } from '../../attendance/domain/outcomes';
import { DiaryPattern, expandPattern, Interval, SiteCalendar, subtractBlocks } from '../../diaries/domain/availability';
import { Rng } from '../../common/random/rng';
import { addDays, isoWeekday, localClockOf, localDateOf, localDay, startOfLocalDay } from '../../common/time/local-time';
import { generateSlots, SlotType } from '../../slots/domain/slots';
import { OverbookingPolicy } from './policy';
import { policyLabel, simulationPolicy } from './policy-simulation';
import { SimAdviser, simulate, SimulationFigures, SimulationInput, SimRequest, SimSession, sweep } from './simulation';

/**
 * A site's recent weeks as the simulator replays them (issue 8 point 6): the sessions its
 * advisers' diary lays out, the customers who asked for them, and the candidate policy beside
 * `off` and a curve of risk targets, all on the same customers.
 *
 * The diary is the one the site has today, laid over the replayed weeks, less the closures,
 * bank holidays and absences of those weeks. A manager asks what a policy would do with the
 * advisers the site has now; and history imported from an old diary system brings no diary
 * of its own, while the patterns entered here often start after it.
 *
 * Demand. Recorded appointments show only the demand that fitted: the customers turned away
 * by a full diary were never recorded, and overbooking exists for them. So each replayed day
 * meets `demand` requests per seat of the standard grid: the appointments recorded for that
 * day, topped up with others drawn at random from the replayed weeks (a customer like them,
 * with their prediction, lead time and outcome, moved to that day), or a random share of
 * them when more were recorded than that. Every draw is seeded: the same call gives the same
 * figures.
 */

/** The most at-risk decile may wait at most this many times the average when they come (issue 8 point 5). */
export const FAIRNESS_LIMIT = 1.25;

/** The risk targets of the curve a manager picks from: the 2-30%. */
export const RISK_CURVE = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3] as const;

export const REPLAY_WEEKS = { default: 8, min: 1, max: 26 } as const;

/**
 * Requests per seat. The benchmark runs demand at 1.4-1.6 times capacity; below 1
 * there is nothing to overbook for, and beyond 3 the figures say more about the assumption
 * than about the policy.
 */
export const REPLAY_DEMAND = { default: 1.5, min: 1, max: 3 } as const;

/**
 * Fewer recorded outcomes than this in the replayed weeks make a curve of noise: the
 * at-risk decile of a few dozen visits is a handful of customers.
 */
export const MIN_RECORDED_OUTCOMES = 30;

/**
 * The most booking requests one replay takes: each request that finds its day full asks the
 * policy about every full session that day, so the work grows with requests times sessions a
 * day, and this keeps the eight runs of a call to a few seconds at the largest sites (ten
 * advisers: 26 weeks at demand 1.5 is 15,600 requests, 13 weeks fit).
 */
export const MAX_REPLAY_REQUESTS = 10_000;

/** Thrown by replay when the period, diary and demand make more requests than MAX_REPLAY_REQUESTS. */
export class ReplayTooLarge extends Error {
  constructor(readonly requests: number) {
    super(`about ${requests} booking requests to replay; at most ${MAX_REPLAY_REQUESTS}`);
  }
}

/** The site's diary for one appointment type, as it stands today, with what blocked it in the replayed weeks. */
export interface ReplayDiary {
  /** closedDates: the site's closures and bank holidays in the replayed weeks. */
  site: SiteCalendar;
  type: SlotType;
  /** The advisers' weekly patterns at the site that offer the type, in force today. */
  patterns: readonly DiaryPattern[];
  /** Absences in the replayed weeks, by adviser. */
  absences: ReadonlyMap<string, readonly Interval[]>;
  roomCapacities: ReadonlyMap<string, number>;
}

/** A recorded appointment of the type at the site with an outcome; cancellations in advance are not among them. */
export interface ReplayRecord {
  customerReference: string;
  /** When its time was agreed, epoch milliseconds. */
  arrangedAt: number;
  start: number;
  outcome: Outcome;
  /** What the show model said of it when it was booked. */
  predictedShow: number;
  referralSource: string;
}

export interface ReplayPeriod {
  /** Local dates, inclusive: Monday to Sunday. */
  from: string;
  to: string;
  weeks: number;
  range: Interval;
}

/** The `weeks` whole local weeks before the one that holds `now`: recent, and all of them over. */
export function replayPeriod(zone: string, now: number, weeks: number): ReplayPeriod {
  const today = localDateOf(now, zone);
  const monday = addDays(today, 1 - isoWeekday(today));
  const from = addDays(monday, -7 * weeks);
  return { from, to: addDays(monday, -1), weeks, range: { start: startOfLocalDay(zone, from), end: startOfLocalDay(zone, monday) } };
}

/**
 * The sessions today's patterns lay over the period, packed as slot search packs them (from
 * each window's start, on five-minute marks, the type's buffer between them); with an
 * overlap, as search packs them under an overlap policy, so one adviser's sessions overlap,
 * as the simulator allows.
 */
export function replaySessions(diary: ReplayDiary, period: ReplayPeriod, overlapMinutes = 0): Pick<SimulationInput, 'advisers' | 'sessions'> {
  const { site, type } = diary;
  const windows = diary.patterns.flatMap((pattern) =>
    subtractBlocks(expandPattern({ ...pattern, validFrom: period.from, validTo: null }, site, period.range), [...(diary.absences.get(pattern.adviserId) ?? [])]),
  );
  const slots = generateSlots({
    windows,
    sessions: [],
    type,
    overlapMinutes: new Map([[site.id, overlapMinutes]]),
    roomCapacities: diary.roomCapacities,
    earliestStart: () => -Infinity,
    range: period.range,
  });
  const advisers: SimAdviser[] = [...new Set(diary.patterns.map((p) => p.adviserId))].map((id) => ({ id, appointmentTypes: [type.code] }));
  const sessions: SimSession[] = slots.map((slot) => ({
    id: `${slot.adviserId}@${slot.start}`,
    adviserId: slot.adviserId,
    appointmentType: type.code,
    start: slot.start,
    durationMinutes: type.durationMinutes,
    capacity: slot.capacity,
  }));
  return { advisers, sessions };
}

/**
 * The requests of the period at `demand` per seat of `sessions`, each day's from its own
 * records first (see the module's comment), in the order they were made. A request accepts
 * any start on its local day: a customer agrees a day with the work coach more than an hour.
 */
export function replayRequests(records: readonly ReplayRecord[], sessions: readonly SimSession[], options: { zone: string; demand: number; seed: string }): SimRequest[] {
  const { zone, demand } = options;
  if (!(demand > 0)) throw new RangeError('demand must be positive');
  const rng = new Rng(options.seed);
  const dateOf = (instant: number) => localClockOf(instant, zone).date;
  const days = new Map<string, Interval>();
  const dayOf = (date: string) => days.get(date) ?? days.set(date, localDay(zone, date)).get(date)!;
  const seats = new Map<string, number>();
  for (const s of sessions) {
    const date = dateOf(s.start);
    seats.set(date, (seats.get(date) ?? 0) + s.capacity);
  }
  const recordedOn = new Map<string, ReplayRecord[]>();
  for (const r of records) {
    const date = dateOf(r.start);
    const day = recordedOn.get(date);
    if (day) day.push(r);
    else recordedOn.set(date, [r]);
  }

  const requests: SimRequest[] = [];
  const add = (r: ReplayRecord, date: string, customerId: string) => {
    const day = dayOf(date);
    const shift = day.start - dayOf(dateOf(r.start)).start;
    requests.push({
      customerId,
      requestedAt: r.arrangedAt + shift,
      earliestStart: day.start,
      latestStart: day.end - 1,
      appointmentType: sessions[0].appointmentType,
      predictedShow: r.predictedShow,
      turnsUp: showed(r.outcome) === 1,
      lateMinutes: 0,
      lot: rng.next(),
      referralSource: r.referralSource,
    });
  };
  for (const date of [...seats.keys()].sort()) {
    const wanted = Math.round(demand * seats.get(date)!);
    const own = recordedOn.get(date) ?? [];
    const kept = own.length > wanted ? rng.shuffle([...own]).slice(0, wanted) : own;
    for (const r of kept) add(r, date, r.customerReference);
    // A copy is another customer like the one drawn, so it shares none of their bookings' history.
    for (let k = kept.length; k < wanted && records.length; k++) add(rng.pick(records), date, `${date}#${k}`);
  }
  return requests.sort((x, y) => x.requestedAt - y.requestedAt || x.lot - y.lot);
}

export interface ReplayedPolicy {
  label: string;
  policy: OverbookingPolicy;
  figures: SimulationFigures;
  /** The most at-risk decile's wait ratio at or under FAIRNESS_LIMIT, or nobody waited. */
  fair: boolean;
}

export interface Replay {
  /** Sessions and seats of the standard grid, which demand is counted against. */
  sessions: number;
  seats: number;
  requests: number;
  /** The mean predicted show probability of the requests: the rate admission assumes of those already booked. */
  showRate: number;
  candidate: ReplayedPolicy;
  off: ReplayedPolicy;
  /** Risk mode at each of `targets`, with the candidate's other settings. */
  curve: ReplayedPolicy[];
}

/**
 * The candidate, `off` and the risk curve on the same requests. Overlap mode differs in its
 * grid alone, so it runs on the same requests over its own sessions; the rest share one grid.
 * Null when today's diary lays no session over the period: there is nothing to replay.
 * Throws ReplayTooLarge beyond MAX_REPLAY_REQUESTS.
 */
export function replay(
  diary: ReplayDiary,
  records: readonly ReplayRecord[],
  period: ReplayPeriod,
  candidate: OverbookingPolicy,
  options: { demand: number; seed: string; targets?: readonly number[] },
): Replay | null {
  const zone = diary.site.timezone;
  const grid = replaySessions(diary, period);
  if (!grid.sessions.length) return null;
  const seats = grid.sessions.reduce((sum, s) => sum + s.capacity, 0);
  // Each day rounds its own share, so this is the count to within half a request a day.
  if (options.demand * seats > MAX_REPLAY_REQUESTS) throw new ReplayTooLarge(Math.round(options.demand * seats));
  const requests = replayRequests(records, grid.sessions, { zone, demand: options.demand, seed: options.seed });
  const input: SimulationInput = { zone, weeks: period.weeks, ...grid, requests };
  const showRate = requests.reduce((sum, r) => sum + r.predictedShow, 0) / Math.max(1, requests.length);

  const off: OverbookingPolicy = { ...candidate, mode: 'off' };
  const curve = (options.targets ?? RISK_CURVE).map((maxRisk): OverbookingPolicy => ({ ...candidate, mode: 'risk', maxRisk }));
  const shared = candidate.mode === 'overlap' ? [off, ...curve] : [off, ...curve, candidate];
  const runs = sweep(
    input,
    shared.map((policy) => simulationPolicy(policy, showRate)),
  ).map(({ figures }, i) => replayed(shared[i], figures));
  const own =
    candidate.mode === 'overlap'
      ? replayed(candidate, simulate({ ...input, ...replaySessions(diary, period, candidate.overlapMinutes) }, simulationPolicy(candidate, showRate)).figures)
      : runs[runs.length - 1];
  return {
    sessions: grid.sessions.length,
    seats,
    requests: requests.length,
    showRate,
    candidate: own,
    off: runs[0],
    curve: runs.slice(1, 1 + curve.length),
  };
}

function replayed(policy: OverbookingPolicy, figures: SimulationFigures): ReplayedPolicy {
  const ratio = figures.fairness.atRiskDecileRatio;
  return { label: policyLabel(policy), policy, figures, fair: ratio === null || ratio <= FAIRNESS_LIMIT };
}
