import { withCustomerHistory } from './customer-history';
import { Outcome, showed } from './outcomes';
import { ShowExample, ShowSignals } from './show-signals';
import { fitBetaPrior, smoothedRate } from './smoothing';

/** A typical show rate for referred appointments (DNA runs at 20-30%), until a site has records of its own. */
export const DEFAULT_SHOW_RATE = 0.75;
/** The latest fifth of the history, by start, is held out to judge a model on a later period. */
export const HELD_OUT_SHARE = 0.2;

/** A past appointment with an outcome, as attendance_records holds it. */
export interface TrainingRow {
  customerReference: string;
  /** When its time was agreed: the customer's record counts only what had happened by then. */
  bookedAt: number;
  start: number;
  outcome: Outcome;
  siteId: string;
  leadDays: number;
  referralSource: ShowSignals['referralSource'];
  mandatory: boolean;
  appointmentType: string;
  channel: ShowSignals['channel'];
  weekday: number;
  hour: number;
  /** Null where the source said nothing of reminders (imports). */
  reminder: ShowSignals['reminder'] | null;
}

export interface SiteShowRates {
  rates: Record<string, number>;
  global: number;
}

/** Each site's show rate, pulled toward the overall rate as far as its own records are few. */
export function siteShowRates(rows: readonly { siteId: string; came: 0 | 1 }[]): SiteShowRates {
  const counts = new Map<string, { successes: number; n: number }>();
  for (const { siteId, came } of rows) {
    const c = counts.get(siteId) ?? { successes: 0, n: 0 };
    c.successes += came;
    c.n += 1;
    counts.set(siteId, c);
  }
  const total = [...counts.values()].reduce((sum, c) => ({ successes: sum.successes + c.successes, n: sum.n + c.n }), { successes: 0, n: 0 });
  const global = total.n ? total.successes / total.n : DEFAULT_SHOW_RATE;
  const prior = fitBetaPrior([...counts.values()], global);
  return { rates: Object.fromEntries([...counts].map(([site, c]) => [site, smoothedRate(c.successes, c.n, prior)])), global };
}

type Judged = { row: TrainingRow; history: ShowSignals['history']; came: 0 | 1 };

function examples(part: readonly Judged[], rates: SiteShowRates): ShowExample[] {
  return part.map(({ row, history, came }) => ({
    showed: came,
    signals: {
      history,
      siteShowRate: rates.rates[row.siteId] ?? rates.global,
      leadDays: row.leadDays,
      referralSource: row.referralSource,
      mandatory: row.mandatory,
      appointmentType: row.appointmentType,
      channel: row.channel,
      weekday: row.weekday,
      hour: row.hour,
      // An import says nothing of reminders: the neutral value.
      reminder: row.reminder ?? 'pending',
      // No source records confirmations yet.
      confirmed: false,
    },
  }));
}

const ratesOf = (part: readonly Judged[]) => siteShowRates(part.map(({ row, came }) => ({ siteId: row.siteId, came })));

/**
 * The examples a model is fitted and judged on, from rows in start order: each with the
 * customer's record as it stood when it was booked (late cancellations are neither shows nor
 * DNAs, so they teach nothing and are left out). `earlier` and `heldOut` split them in time,
 * everything from the appointment at the cut on being held out, with site rates from the
 * earlier part only; `all` is every example, with site rates from all of them, for the model
 * that goes live.
 */
export function trainingSets(rows: readonly TrainingRow[]): { earlier: ShowExample[]; heldOut: ShowExample[]; heldOutFrom: number | null; all: ShowExample[]; rates: SiteShowRates } {
  const judged = [...withCustomerHistory(rows)].flatMap(({ row, history }) => {
    const came = showed(row.outcome);
    return came === null ? [] : [{ row, history, came }];
  });
  const heldOutFrom = judged[Math.floor(judged.length * (1 - HELD_OUT_SHARE))]?.row.start ?? null;
  const earlier = heldOutFrom === null ? judged : judged.filter(({ row }) => row.start < heldOutFrom);
  const earlierRates = ratesOf(earlier);
  const rates = ratesOf(judged);
  return {
    earlier: examples(earlier, earlierRates),
    heldOut: examples(judged.slice(earlier.length), earlierRates),
    heldOutFrom,
    all: examples(judged, rates),
    rates,
  };
}
