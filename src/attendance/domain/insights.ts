import { Outcome, OUTCOMES, showed } from './outcomes';
import { Interval, wilsonInterval } from './wilson';

/** What DNA patterns can be cut by. */
export const INSIGHT_DIMENSIONS = [
  'site',
  'adviser',
  'appointmentType',
  'weekday',
  'hour',
  'leadTimeBucket',
  'referralSource',
  'referrer',
  'mandatory',
  'reminderVariant',
  'reminderDelivered',
  'week',
] as const;
export type InsightDimension = (typeof INSIGHT_DIMENSIONS)[number];

/** Lead-time buckets in whole days from booking to appointment. */
export const LEAD_TIME_BUCKETS = [
  { label: '0-2', max: 2 },
  { label: '3-7', max: 7 },
  { label: '8-14', max: 14 },
  { label: '15-28', max: 28 },
  { label: '29+', max: Infinity },
] as const;

export const leadTimeBucket = (days: number): string => LEAD_TIME_BUCKETS.find((b) => days <= b.max)!.label;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** A dimension's value in words, for people reading a table; names of things are looked up by the caller. */
export function dimensionLabel(dimension: InsightDimension, value: string | number | boolean | null): string {
  if (value === null) return 'not recorded';
  switch (dimension) {
    case 'weekday':
      return WEEKDAYS[Number(value) - 1];
    case 'hour':
      return `${String(value).padStart(2, '0')}:00-${String(Number(value) + 1).padStart(2, '0')}:00`;
    case 'mandatory':
      return value ? 'mandatory' : 'voluntary';
    case 'leadTimeBucket':
      return `${value} days ahead`;
    case 'week':
      return `week of ${value}`;
    default:
      return String(value);
  }
}

export interface GroupCounts {
  bookings: number;
  cancelledInAdvance: number;
  outcomes: Record<Outcome, number>;
  noOutcome: number;
}

/** Customers who came: attended, late, or left unseen. */
export const came = (outcomes: Record<Outcome, number>): number => OUTCOMES.filter((o) => showed(o) === 1).reduce((sum, o) => sum + outcomes[o], 0);

/**
 * The DNA rate among the appointments that say whether the customer came: late
 * cancellations and bookings with no outcome are neither shows nor DNAs.
 */
export function dnaRate(counts: GroupCounts): { dnaRate: number | null; dnaRateInterval: Interval | null } {
  const judged = OUTCOMES.filter((o) => showed(o) !== null).reduce((sum, o) => sum + counts.outcomes[o], 0);
  if (judged === 0) return { dnaRate: null, dnaRateInterval: null };
  return { dnaRate: counts.outcomes.dna / judged, dnaRateInterval: wilsonInterval(counts.outcomes.dna, judged) };
}
