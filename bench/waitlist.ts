/**
 * Waitlist backfill over a synthetic year's late cancellations:  npm run bench:waitlist
 *
 * Pure Node, no database. Issue 9 point 4's figures: the share of freed slots refilled and
 * the median time to refill, with the service's own policy (src/waitlist/domain: three at a
 * time, longest waiting first, two hours to answer, texts held through quiet hours, one
 * offer at a time per customer) replayed by simulateBackfill. The synthetic history records
 * only late cancellations and nothing of who waits or how they answer, so those are
 * assumed (DEFAULT_BACKFILL_ASSUMPTIONS, varied below):
 *   - customers join each site's list at a steady rate, for a type in the site's own mix,
 *     at that one site, waiting 3-14 days from the moment they join;
 *   - each texted customer replies 1 with a fixed chance, after an exponential delay
 *     (mean 20 minutes);
 *   - a late cancellation is made uniformly 2-48 hours before the start (never before the
 *     booking); sites ask no minimum notice.
 *
 * Prints Markdown tables and writes bench/results/waitlist-<time>.json. Never asserts.
 *
 * Then the seats released beside bookings likely to be missed (src/overbooking/domain/release):
 * each site releases, a day ahead (or when booked, if later), every booking whose customer is
 * at most RELEASE_CEILING likely to come, within the default cap of extras a day; offered
 * with the cancellations, to the same lists. The history's hidden show probability stands in
 * for the model's prediction, so it is a perfect model's figure, an upper bound.
 *
 * Knobs: BENCH_WAITLIST_SEEDS (3), BENCH_WAITLIST_SITES (20), BENCH_WAITLIST_ADVISERS (80).
 */
import './lib/paths';
import { showed } from '../src/attendance/domain/outcomes';
import { generateHistory, HistoryOptions, SyntheticAppointment } from '../src/attendance/domain/synthetic-history';
import { Rng } from '../src/common/random/rng';
import { DAY, localDateOf, MINUTE } from '../src/common/time/local-time';
import { POLICY_DEFAULTS } from '../src/overbooking/domain/policy';
import { RELEASE_CEILING, releasedSeatRefusal } from '../src/overbooking/domain/release';
import { BackfillAssumptions, Cancellation, DEFAULT_BACKFILL_ASSUMPTIONS, simulateBackfill } from '../src/waitlist/domain/backfill-simulation';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { fmt, summarise, table } from './lib/stats';

const SEEDS = Number(process.env.BENCH_WAITLIST_SEEDS ?? 3);
const SITES = Number(process.env.BENCH_WAITLIST_SITES ?? 20);
const ADVISERS = Number(process.env.BENCH_WAITLIST_ADVISERS ?? 80);
const WEEKS = 52;
const FROM = '2025-11-24';
const ZONE = 'Europe/London';
// About 24 appointments a week per adviser: a full-time diary of one-to-ones.
const PER_ADVISER_WEEK = 24;

const TYPES = [
  { code: 'SKILLS_HEALTH_CHECK', durationMinutes: 60, channel: 'face_to_face' },
  { code: 'CAREERS_GUIDANCE', durationMinutes: 45, channel: 'face_to_face' },
  { code: 'FOLLOW_UP', durationMinutes: 30, channel: 'face_to_face' },
  { code: 'TELEPHONE_FOLLOW_UP', durationMinutes: 20, channel: 'telephone' },
] as const;

function world(seed: string): HistoryOptions {
  const rng = new Rng(`${seed}|world`);
  const siteIds = Array.from({ length: SITES }, () => rng.uuid());
  return {
    seed,
    from: FROM,
    weeks: WEEKS,
    sites: siteIds.map((id) => ({ id, zone: ZONE })),
    advisers: Array.from({ length: ADVISERS }, (_, i) => ({ id: rng.uuid(), siteIds: [siteIds[i % SITES]] })),
    appointmentTypes: TYPES,
    appointmentsPerWeek: ADVISERS * PER_ADVISER_WEEK,
  };
}

type Variation = Partial<Omit<BackfillAssumptions, 'seed'>> & { label: string };

const VARIATIONS: Variation[] = [
  { label: 'assumed (3 a site-week join, 40% reply)' },
  { label: '1 a site-week join', waitingPerSiteWeek: 1 },
  { label: '10 a site-week join', waitingPerSiteWeek: 10 },
  { label: '20% reply', replyChance: 0.2 },
  { label: '60% reply', replyChance: 0.6 },
  { label: 'replies take 60 min on average', replyMeanMinutes: 60 },
  { label: 'wait 1-5 days only', windowDays: [1, 5] },
  { label: 'sites ask 24 h notice', minNoticeMinutes: 24 * 60 },
];

/** The seats released beside the history's bookings likely to be missed, in start order, and the bookings they were released beside. */
function releasedSeats(history: readonly SyntheticAppointment[]): { seats: Cancellation[]; beside: SyntheticAppointment[] } {
  const duration = new Map<string, number>(TYPES.map((t) => [t.code, t.durationMinutes * MINUTE]));
  const extrasOn = new Map<string, number>();
  const beside = history
    .filter((r) => r.outcome !== 'cancelled_late' && r.showProbability <= RELEASE_CEILING)
    .sort((a, b) => a.start - b.start)
    .filter((r) => {
      const day = `${r.siteId}|${localDateOf(r.start, ZONE)}`;
      // One-seat sessions, so the session cap never binds; the day's does.
      if (releasedSeatRefusal(POLICY_DEFAULTS, { capacity: 1, customers: 1 }, extrasOn.get(day) ?? 0)) return false;
      extrasOn.set(day, (extrasOn.get(day) ?? 0) + 1);
      return true;
    });
  const seats = beside.map((r) => ({ typeId: r.appointmentType, siteId: r.siteId, start: r.start, end: r.start + duration.get(r.appointmentType)!, freedAt: Math.max(r.bookedAt, r.start - DAY) }));
  return { seats, beside };
}

async function main() {
  const histories = Array.from({ length: SEEDS }, (_, i) => generateHistory(world(`careers-waitlist-${i + 1}`)));
  const rows = VARIATIONS.map(({ label, ...change }) => {
    const runs = histories.map((history, i) => simulateBackfill(history, TYPES, () => ZONE, { ...DEFAULT_BACKFILL_ASSUMPTIONS, ...change, seed: `careers-waitlist-${i + 1}` }));
    const freed = runs.reduce((n, r) => n + r.freed, 0);
    const refilled = runs.reduce((n, r) => n + r.refilled, 0);
    const minutes = summarise(runs.flatMap((r) => r.minutesToRefill));
    return {
      label,
      freed: freed / SEEDS,
      refilledShare: refilled / freed,
      medianMinutes: minutes.p50,
      p95Minutes: minutes.p95,
      textsPerRefill: runs.reduce((n, r) => n + r.texts, 0) / refilled,
      perSeed: runs.map((r) => ({ freed: r.freed, refilled: r.refilled, share: r.refilledShare })),
    };
  });
  const box = await machine().catch(() => null);
  console.log(`\n## Waitlist backfill over ${SEEDS} synthetic years (${SITES} sites, ${ADVISERS} advisers)\n`);
  console.log(
    table(
      ['assumptions', 'freed a year', 'refilled', 'median to refill (min)', 'p95 (min)', 'texts a refill'],
      rows.map((r) => [r.label, fmt(r.freed, 0), `${fmt(100 * r.refilledShare, 1)}%`, fmt(r.medianMinutes, 0), fmt(r.p95Minutes, 0), fmt(r.textsPerRefill, 1)]),
    ),
  );

  // Released seats offered with the cancellations, under the assumed list and replies.
  const release = histories.map((history, i) => {
    const { seats, beside } = releasedSeats(history);
    const run = simulateBackfill(history, TYPES, () => ZONE, { ...DEFAULT_BACKFILL_ASSUMPTIONS, seed: `careers-waitlist-${i + 1}` }, seats);
    const cancellations = run.freed - seats.length;
    const filled = beside.filter((_, k) => run.taken[cancellations + k]);
    return {
      appointments: history.length,
      released: seats.length,
      filled: filled.length,
      // The released booking's customer came after all: the extra meets them in the session.
      cameAnyway: filled.filter((r) => showed(r.outcome) === 1).length,
      cancellationsRefilled: run.taken.slice(0, cancellations).filter(Boolean).length / cancellations,
    };
  });
  const sum = (key: keyof (typeof release)[number]) => release.reduce((n, r) => n + r[key], 0);
  const releaseRow = {
    releasedPerYear: sum('released') / SEEDS,
    filledPerYear: sum('filled') / SEEDS,
    filledShare: sum('filled') / sum('released'),
    cameAnywayShare: sum('cameAnyway') / sum('filled'),
    releasedShareOfAppointments: sum('released') / sum('appointments'),
    cancellationsRefilledWithReleases: sum('cancellationsRefilled') / SEEDS,
  };
  console.log(`\n## Seats released beside bookings at most ${RELEASE_CEILING} likely to be kept (a day ahead, at most ${POLICY_DEFAULTS.maxExtraPerDay} a site-day)\n`);
  console.log(
    table(
      ['released a year', 'of appointments', 'filled a year', 'filled', 'released customer came anyway', 'late cancellations still refilled'],
      [[fmt(releaseRow.releasedPerYear, 0), `${fmt(100 * releaseRow.releasedShareOfAppointments, 1)}%`, fmt(releaseRow.filledPerYear, 0), `${fmt(100 * releaseRow.filledShare, 1)}%`, `${fmt(100 * releaseRow.cameAnywayShare, 1)}%`, `${fmt(100 * releaseRow.cancellationsRefilledWithReleases, 1)}%`]],
    ),
  );
  const file = writeResult('waitlist', { machine: box, seeds: SEEDS, sites: SITES, advisers: ADVISERS, assumptions: DEFAULT_BACKFILL_ASSUMPTIONS, rows, release: releaseRow });
  console.log(`\nWritten to ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
