import { addDays, isoWeekday } from '../../common/time/local-time';
import { came, dnaRate, GroupCounts } from './insights';

/**
 * When referrals to a venue are drying up (seed 000 §7.18: a venue that does not deliver
 * customers wastes an adviser's day there, so the manager should hear of it early): the
 * bookings made in the last two whole weeks average under half a week of the eight weeks
 * before them. A venue that had under two a week before is too quiet to judge.
 */
export const DRY_UP_RULE = { recentWeeks: 2, priorWeeks: 8, share: 0.5, minPriorWeekly: 2 } as const;

/** The whole weeks venue health shows unless asked for others. */
export const DEFAULT_HEALTH_WEEKS = 12;

export interface ReferralFlow {
  /** Bookings made per week in the last `recentWeeks` whole weeks. */
  recentWeekly: number;
  /** Bookings made per week in the `priorWeeks` before those. */
  priorWeekly: number;
  dryingUp: boolean;
}

/** The rule over bookings made per whole week, oldest first; null with too few weeks to judge. */
export function referralFlow(weekly: number[]): ReferralFlow | null {
  const { recentWeeks, priorWeeks, share, minPriorWeekly } = DRY_UP_RULE;
  if (weekly.length < recentWeeks + priorWeeks) return null;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const recentWeekly = mean(weekly.slice(-recentWeeks));
  const priorWeekly = mean(weekly.slice(-(recentWeeks + priorWeeks), -recentWeeks));
  return { recentWeekly, priorWeekly, dryingUp: priorWeekly >= minPriorWeekly && recentWeekly < priorWeekly * share };
}

/** The Mondays of the `count` whole weeks before the week `today` is in, oldest first. */
export function wholeWeeksBefore(today: string, count: number): string[] {
  const thisMonday = addDays(today, 1 - isoWeekday(today));
  return Array.from({ length: count }, (_, i) => addDays(thisMonday, -7 * (count - i)));
}

export interface HealthWeek {
  /** The Monday. */
  weekStarting: string;
  /** Bookings made that week (referrals to the venue), whenever they are for. */
  referrals: number;
  /** Appointments that week not cancelled in advance. */
  appointments: number;
  /** Customers who came: attended, late, or left unseen. */
  attended: number;
  dna: number;
  dnaRate: number | null;
}

/** A row per week, zero where nothing happened: referrals by the week they were made, the rest by the week of the appointment. */
export function healthWeeks(weeks: string[], referrals: Map<string, number>, appointments: Map<string, GroupCounts>): HealthWeek[] {
  return weeks.map((weekStarting) => {
    const counts = appointments.get(weekStarting);
    return {
      weekStarting,
      referrals: referrals.get(weekStarting) ?? 0,
      appointments: counts?.bookings ?? 0,
      attended: counts ? came(counts.outcomes) : 0,
      dna: counts?.outcomes.dna ?? 0,
      dnaRate: counts ? dnaRate(counts).dnaRate : null,
    };
  });
}
