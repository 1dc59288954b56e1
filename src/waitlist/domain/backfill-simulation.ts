import type { SyntheticAppointment } from '../../attendance/domain/synthetic-history';
import { Rng } from '../../common/random/rng';
import { DAY, MINUTE } from '../../common/time/local-time';
import { DEFAULT_REMINDER_POLICY } from '../../reminders/domain/reminder-plan';
import { FreedSlot, offerTiming, planRound, WaitingEntry } from './backfill';

/** A seat freed at `freedAt`. */
export interface Cancellation extends FreedSlot {
  freedAt: number;
}

/**
 * Whether a customer texted about a freed slot replies 1, and how many minutes after the
 * text; null for no reply. Asked once per customer, slot and round.
 */
export type ReplyOf = (entryId: string, slotIndex: number) => number | null;

export interface ReplaySettings {
  zoneOf: (siteId: string) => string;
  minNoticeMinutes: number;
}

export interface BackfillFigures {
  /** Seats freed. */
  freed: number;
  /** Freed seats at least one customer was texted about. */
  offered: number;
  refilled: number;
  /** refilled / freed. */
  refilledShare: number;
  /** Minutes from the seat being freed to the reply that took it, for each refilled seat, in order. */
  minutesToRefill: number[];
  texts: number;
  /** Whether each seat, in the order given, was taken. */
  taken: boolean[];
}

/**
 * The service's backfill policy over a stream of freed seats: each offered when it frees
 * (after quiet hours), to the three longest waiting it fits who are not answering another
 * offer (when all are, once the first of those offers closes), round after round until
 * someone replies in time or there is no time or nobody left. Seats are settled one at a time in the order they freed, so a customer asked about
 * one seat is busy until that round lapses or the seat is taken; a seat freed while an
 * earlier one is still on offer sees the earlier one's outcome already (close enough when
 * seats free hours apart, as here).
 */
export function replayBackfill(freed: readonly Cancellation[], waiting: readonly WaitingEntry[], replyOf: ReplyOf, settings: ReplaySettings): BackfillFigures {
  const busyUntil = new Map<string, number>();
  const fulfilled = new Set<string>();
  const minutesToRefill: number[] = [];
  const taken = freed.map(() => false);
  let offered = 0;
  let texts = 0;
  const order = freed.map((c, i) => ({ c, i })).sort((a, b) => a.c.freedAt - b.c.freedAt || a.i - b.i);
  for (const { c, i } of order) {
    const asked = new Set<string>();
    let now = c.freedAt;
    for (;;) {
      const timing = offerTiming(now, c.start, settings.minNoticeMinutes, settings.zoneOf(c.siteId), DEFAULT_REMINDER_POLICY);
      if (!timing) break;
      const candidates = waiting.filter((e) => e.createdAt <= now && !fulfilled.has(e.id) && !asked.has(e.id)).map((e) => ({ ...e, busyUntil: busyUntil.get(e.id) ?? null }));
      const plan = planRound(c, candidates, timing.sendAt);
      if (!plan) break;
      if ('retryAt' in plan) {
        now = plan.retryAt;
        continue;
      }
      const chosen = plan.ask;
      if (!asked.size) offered++;
      texts += chosen.length;
      let winner: { id: string; at: number } | null = null;
      for (const e of chosen) {
        asked.add(e.id);
        busyUntil.set(e.id, timing.expiresAt);
        const minutes = replyOf(e.id, i);
        const at = minutes === null ? null : timing.sendAt + minutes * MINUTE;
        if (at !== null && at < timing.expiresAt && (!winner || at < winner.at)) winner = { id: e.id, at };
      }
      if (winner) {
        fulfilled.add(winner.id);
        // The others are free for the next offer as soon as this one is taken.
        for (const e of chosen) busyUntil.set(e.id, winner.at);
        minutesToRefill.push((winner.at - c.freedAt) / MINUTE);
        taken[i] = true;
        break;
      }
      now = timing.expiresAt;
    }
  }
  return { freed: freed.length, offered, refilled: minutesToRefill.length, refilledShare: freed.length ? minutesToRefill.length / freed.length : 0, minutesToRefill, texts, taken };
}

/** What the synthetic history does not hold, assumed: who waits, how they reply, when late cancellations are made. */
export interface BackfillAssumptions {
  seed: string;
  /** Customers put on each site's list a week, for one of the types booked there (in the site's own mix). */
  waitingPerSiteWeek: number;
  /** Each waits from joining for a whole number of days drawn uniformly from this range. */
  windowDays: readonly [number, number];
  /** The chance a texted customer replies 1, and the mean of the minutes they take (exponential). */
  replyChance: number;
  replyMeanMinutes: number;
  /** When a late cancellation is made: hours before the start, uniform in this range (never before the booking). */
  cancelHoursBefore: readonly [number, number];
  minNoticeMinutes: number;
}

export const DEFAULT_BACKFILL_ASSUMPTIONS: Omit<BackfillAssumptions, 'seed'> = {
  waitingPerSiteWeek: 3,
  windowDays: [3, 14],
  replyChance: 0.4,
  replyMeanMinutes: 20,
  cancelHoursBefore: [2, 48],
  minNoticeMinutes: 0,
};

/**
 * The backfill policy over a synthetic history's late cancellations (the only cancellations
 * it records), with an assumed waiting list and reply behaviour drawn from `seed`. `released`:
 * seats a site offers beside bookings that stand, offered after the cancellations' (their
 * figures are at the end of `taken`), competing with them for those waiting.
 */
export function simulateBackfill(
  history: readonly SyntheticAppointment[],
  types: readonly { code: string; durationMinutes: number }[],
  zoneOf: (siteId: string) => string,
  a: BackfillAssumptions,
  released: readonly Cancellation[] = [],
): BackfillFigures {
  const rng = new Rng(`${a.seed}|backfill`);
  const duration = new Map(types.map((t) => [t.code, t.durationMinutes * MINUTE]));
  const freed: Cancellation[] = history
    .filter((r) => r.outcome === 'cancelled_late')
    .map((r) => {
      const hours = a.cancelHoursBefore[0] + rng.next() * (a.cancelHoursBefore[1] - a.cancelHoursBefore[0]);
      return { typeId: r.appointmentType, siteId: r.siteId, start: r.start, end: r.start + duration.get(r.appointmentType)!, freedAt: Math.max(r.bookedAt, r.start - hours * 60 * MINUTE) };
    });

  const bySite = new Map<string, SyntheticAppointment[]>();
  for (const r of history) {
    const rows = bySite.get(r.siteId);
    if (rows) rows.push(r);
    else bySite.set(r.siteId, [r]);
  }
  const waiting: WaitingEntry[] = [];
  for (const [siteId, rows] of [...bySite].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const from = rows[0].start - 7 * DAY;
    const to = rows[rows.length - 1].start;
    const count = Math.round(((to - from) / (7 * DAY)) * a.waitingPerSiteWeek);
    for (let n = 0; n < count; n++) {
      const joined = from + rng.next() * (to - from);
      waiting.push({ id: `${siteId}/${n}`, typeId: rng.pick(rows).appointmentType, siteIds: [siteId], earliest: joined, latest: joined + rng.int(a.windowDays[0], a.windowDays[1]) * DAY, createdAt: joined });
    }
  }
  const replyOf: ReplyOf = () => (rng.next() < a.replyChance ? -a.replyMeanMinutes * Math.log(1 - rng.next()) : null);
  return replayBackfill([...freed, ...released], waiting, replyOf, { zoneOf, minNoticeMinutes: a.minNoticeMinutes });
}

