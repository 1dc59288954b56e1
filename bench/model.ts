/**
 * Show-model quality on a synthetic year whose truth is known:  npm run bench:model
 *
 * Pure Node, no database. For each seed: a year of appointments (generateHistory: by
 * default 50 sites, 200 advisers at 1-3 of them, five appointment types, ~150,000 rows)
 * is turned into training rows as attendance_records would hold them (lead days, weekday
 * and hour in the site's zone, as insertHistory works them out in SQL), then into examples
 * by trainingSets, the function ShowModelService.train uses (customer history as of booking,
 * late cancellations left out, site show rates smoothed, the latest fifth by start held out,
 * site rates of the earlier part only). The model is fitted with trainShowModel on the
 * earlier part and judged with evaluateShowModel on the held-out part, as train() does, beside:
 *   - the omniscient ceiling: each row's hidden showProbability (knows the customer's
 *     latent reliability, which no model can see);
 *   - the observable ceiling: observableShowProbability(row, history), the hidden model
 *     with the reliability replaced by what the customer's record says of it;
 *   - the service's base-rate fallback (customer record smoothed toward the site rate),
 *     and a constant (the training show rate), for contrast;
 *   - the same model as it scores a booking when it is made, before any reminder has gone
 *     (the other signals as the held-out row has them): with the reminder taken as pending,
 *     as bookings were scored before scoreBooking, and with scoreBooking (a reminder due,
 *     from a day ahead, at its expected effect, the delivered share of the earlier part's
 *     rows), as the service scores them now.
 * Then the fit alone is timed on ~1,000,000 rows (BENCH_MODEL_FIT_ROWS).
 *
 * Prints Markdown tables and writes bench/results/model-<time>.json. Never asserts.
 *
 * Knobs: BENCH_MODEL_SEEDS (3), BENCH_MODEL_ROWS (150000), BENCH_MODEL_SITES (50),
 * BENCH_MODEL_ADVISERS (200), BENCH_MODEL_FIT_ROWS (1000000; 0 to skip).
 */
import './lib/paths';
import { performance } from 'node:perf_hooks';
import { withCustomerHistory } from '../src/attendance/domain/customer-history';
import { auc, brierScore, calibrationByDecile, CalibrationRow } from '../src/attendance/domain/metrics';
import { showed } from '../src/attendance/domain/outcomes';
import { reminderDeliveredShare, scoreBooking } from '../src/attendance/domain/reminder-expectation';
import { baseRateModel, evaluateShowModel, ShowEvaluation, showProbability, trainShowModel } from '../src/attendance/domain/show-model';
import { ShowExample, ShowSignals } from '../src/attendance/domain/show-signals';
import { generateHistory, HistoryOptions, observableShowProbability, SyntheticAppointment } from '../src/attendance/domain/synthetic-history';
import { trainingSets } from '../src/attendance/domain/training-set';
import { Rng } from '../src/common/random/rng';
import { DAY } from '../src/common/time/local-time';
import { machine } from './lib/machine';
import { writeResult } from './lib/paths';
import { trainingRow } from './lib/training-row';
import { fmt, table } from './lib/stats';

const SEEDS = Number(process.env.BENCH_MODEL_SEEDS ?? 3);
const ROWS = Number(process.env.BENCH_MODEL_ROWS ?? 150_000);
const SITES = Number(process.env.BENCH_MODEL_SITES ?? 50);
const ADVISERS = Number(process.env.BENCH_MODEL_ADVISERS ?? 200);
const FIT_ROWS = Number(process.env.BENCH_MODEL_FIT_ROWS ?? 1_000_000);
const WEEKS = 52;
const FROM = '2025-11-24';
const ZONE = 'Europe/London';

// --- the synthetic world and its rows as attendance_records holds them -----------------

const TYPES = [
  { code: 'SKILLS_HEALTH_CHECK', durationMinutes: 60, channel: 'face_to_face' },
  { code: 'CAREERS_GUIDANCE', durationMinutes: 45, channel: 'face_to_face' },
  { code: 'FOLLOW_UP', durationMinutes: 30, channel: 'face_to_face' },
  { code: 'TELEPHONE_FOLLOW_UP', durationMinutes: 20, channel: 'telephone' },
  { code: 'CV_WORKSHOP', durationMinutes: 120, channel: 'face_to_face' },
] as const;

function world(seed: string, sites: number, advisers: number, rows: number): HistoryOptions {
  const rng = new Rng(`${seed}|world`);
  const siteIds = Array.from({ length: sites }, () => rng.uuid());
  return {
    seed,
    from: FROM,
    weeks: WEEKS,
    sites: siteIds.map((id) => ({ id, zone: ZONE })),
    // Each adviser at 1-3 sites, the first chosen at random, the others next to it in the list.
    advisers: Array.from({ length: advisers }, () => {
      const home = rng.int(0, sites - 1);
      const count = rng.weighted([[1, 45], [2, 35], [3, 20]] as const);
      return { id: rng.uuid(), siteIds: [...new Set(Array.from({ length: count }, (_, i) => siteIds[(home + i) % sites]))] };
    }),
    appointmentTypes: TYPES,
    appointmentsPerWeek: rows / WEEKS,
  };
}

const HOUR = DAY / 24;

/**
 * The held-out rows themselves with the customer's record as of booking, in the order of
 * trainingSets' heldOut examples (judged rows from the cut on), for the ceilings, which need
 * the hidden truth the examples do not carry.
 */
function heldOutTruths(history: readonly SyntheticAppointment[], heldOutFrom: number | null) {
  if (heldOutFrom === null) return [];
  return [...withCustomerHistory(history)].filter(({ row }) => showed(row.outcome) !== null && row.start >= heldOutFrom);
}

// --- measuring ------------------------------------------------------------------------

interface Scored {
  name: string;
  auc: number | null;
  brier: number | null;
  calibration: CalibrationRow[];
}

function scoreOf(name: string, probabilities: Float64Array, labels: Uint8Array): Scored {
  return { name, auc: auc(probabilities, labels), brier: brierScore(probabilities, labels), calibration: calibrationByDecile(probabilities, labels) };
}

const AT_BOOKING_PENDING = 'show model at booking, reminder taken as pending (as scored before scoreBooking)';
const AT_BOOKING_EXPECTED = 'show model at booking, scoreBooking: a due reminder at its expected effect (as the service scores now)';

/** The mean prediction less the observed show rate: how far the predictions sit off as a whole. */
const meanBias = (s: Scored) => {
  const n = s.calibration.reduce((t, c) => t + c.n, 0);
  return s.calibration.reduce((t, c) => t + c.n * ((c.meanPredicted ?? 0) - (c.observedRate ?? 0)), 0) / n;
};

const fromEvaluation = (name: string, e: ShowEvaluation): Scored => ({ name, auc: e.auc, brier: e.brier, calibration: e.calibration });

interface SeedResult {
  seed: string;
  rows: number;
  judged: number;
  train: number;
  heldOut: number;
  heldOutFrom: string;
  trainShowRate: number;
  /** Of the earlier part's due reminders, the share delivered: what scoreBooking weighs a coming reminder by. */
  deliveredShare: number;
  heldOutShowRate: number;
  model: { kind: string; fallback: boolean; priorStrength: number; features: number; fitMs: number };
  scores: Scored[];
  generateMs: number;
  prepareMs: number;
}

function runSeed(seed: string): SeedResult {
  const t0 = performance.now();
  const history = generateHistory(world(seed, SITES, ADVISERS, ROWS));
  const t1 = performance.now();
  // The service reads rows in start order (ORDER BY start); the generator yields them so.
  const trainingRows = history.map((row) => trainingRow(row, ZONE));
  const sets = trainingSets(trainingRows);
  const trainExamples = sets.earlier;
  const testExamples = sets.heldOut;
  const truths = heldOutTruths(history, sets.heldOutFrom);
  // The truths must line up with the examples one for one; say so loudly if they ever do not.
  const aligned = truths.length === testExamples.length && truths.every((t, i) => t.history.showed === testExamples[i].signals.history.showed && t.history.missed === testExamples[i].signals.history.missed && showed(t.row.outcome) === testExamples[i].showed);
  if (!aligned) throw new Error(`held-out truths (${truths.length}) do not line up with trainingSets' held-out examples (${testExamples.length})`);
  const t2 = performance.now();
  const trial = trainShowModel(trainExamples);
  const t3 = performance.now();
  const evaluation = evaluateShowModel(trial.model, testExamples);
  const labels = Uint8Array.from(testExamples, (e) => e.showed);
  const trainRate = trainExamples.reduce((s, e) => s + e.showed, 0) / trainExamples.length;
  const fallback = baseRateModel(trainExamples);
  const deliveredShare = reminderDeliveredShare(trainingRows.filter((row) => sets.heldOutFrom === null || row.start < sets.heldOutFrom));
  const atBooking = (score: (e: ShowExample, row: SyntheticAppointment) => number) => Float64Array.from(testExamples, (e, i) => score(e, truths[i].row));
  const pending = (e: ShowExample): ShowSignals => ({ ...e.signals, reminder: 'pending' });
  const scores: Scored[] = [
    fromEvaluation('show model (trainShowModel, as trained by the service)', evaluation),
    scoreOf('omniscient ceiling: hidden showProbability', Float64Array.from(truths, (t) => t.row.showProbability), labels),
    scoreOf('observable ceiling: observableShowProbability(row, history)', Float64Array.from(truths, (t) => observableShowProbability(t.row, t.history)), labels),
    fromEvaluation('base-rate fallback (customer record smoothed toward the site rate)', evaluateShowModel(fallback, testExamples)),
    scoreOf('constant: the training show rate', new Float64Array(testExamples.length).fill(trainRate), labels),
    scoreOf(AT_BOOKING_PENDING, atBooking((e) => showProbability(trial.model, pending(e))), labels),
    scoreOf(
      AT_BOOKING_EXPECTED,
      atBooking((e, row) => scoreBooking(trial.model, pending(e), { hoursAhead: (row.start - row.bookedAt) / HOUR, deliveredShare }).probability),
      labels,
    ),
  ];
  return {
    seed,
    rows: history.length,
    judged: sets.all.length,
    train: trainExamples.length,
    heldOut: testExamples.length,
    heldOutFrom: sets.heldOutFrom === null ? '-' : new Date(sets.heldOutFrom).toISOString(),
    trainShowRate: trainRate,
    deliveredShare,
    heldOutShowRate: evaluation.baseRate ?? NaN,
    model: {
      kind: trial.model.kind,
      fallback: trial.fallback,
      priorStrength: trial.model.priorStrength,
      features: trial.model.kind === 'logistic' ? Object.keys(trial.model.weights).length : 0,
      fitMs: t3 - t2,
    },
    scores,
    generateMs: t1 - t0,
    prepareMs: t2 - t1,
  };
}

/** The fit alone on about `rows` examples (the service's cap is 1,000,000 rows). */
function timeFit(rows: number) {
  const t0 = performance.now();
  // Sites and advisers scaled so that each adviser's days are as full as in the 150k world.
  const scale = rows / ROWS;
  const history = generateHistory(world('careers-model-fit', Math.round(SITES * scale), Math.round(ADVISERS * scale), rows));
  const t1 = performance.now();
  // As train() fits the live model: every example, site rates from all of them.
  const examples = trainingSets(history.map((row) => trainingRow(row, ZONE))).all;
  const t2 = performance.now();
  const cpu0 = process.cpuUsage();
  const trained = trainShowModel(examples);
  const cpu = process.cpuUsage(cpu0);
  const t3 = performance.now();
  // Twice more, for the spread.
  const again: number[] = [];
  for (let i = 0; i < 2; i++) {
    const s = performance.now();
    trainShowModel(examples);
    again.push(performance.now() - s);
  }
  return {
    rows: history.length,
    examples: examples.length,
    generateMs: t1 - t0,
    prepareMs: t2 - t1,
    fitMs: [t3 - t2, ...again],
    fitCpuMs: (cpu.user + cpu.system) / 1000,
    kind: trained.model.kind,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

async function main() {
  const started = Date.now();
  const box = await machine().catch(() => null);
  console.log(`Show model quality: ${SEEDS} seeded synthetic years of ~${ROWS} appointments, ${SITES} sites, ${ADVISERS} advisers; Node ${process.version}`);
  const seeds: SeedResult[] = [];
  for (let i = 0; i < SEEDS; i++) {
    const r = runSeed(`careers-model-${i + 1}`);
    seeds.push(r);
    const at = (name: string) => r.scores.find((s) => s.name.startsWith(name))!;
    console.log(
      `  ${r.seed}: ${r.rows} rows, ${r.train} train / ${r.heldOut} held out (from ${r.heldOutFrom.slice(0, 10)}); fit ${fmt(r.model.fitMs, 0)} ms; ` +
        `AUC model ${fmt(at('show model').auc!, 3)}, observable ${fmt(at('observable').auc!, 3)}, omniscient ${fmt(at('omniscient').auc!, 3)}, base rates ${fmt(at('base-rate').auc!, 3)}`,
    );
  }

  const names = seeds[0].scores.map((s) => s.name);
  const mean = (f: (r: SeedResult) => number) => seeds.reduce((t, r) => t + f(r), 0) / seeds.length;
  const scoreAt = (r: SeedResult, name: string) => r.scores.find((s) => s.name === name)!;
  console.log(`\n### Held-out period (the latest fifth by start), ${seeds.length} seeds\n`);
  console.log(
    table(
      ['predictor', ...seeds.map((r) => `AUC ${r.seed}`), 'AUC mean', ...seeds.map((r) => `Brier ${r.seed}`), 'Brier mean'],
      names.map((name) => [
        name,
        ...seeds.map((r) => fmt(scoreAt(r, name).auc ?? NaN, 3)),
        fmt(mean((r) => scoreAt(r, name).auc ?? NaN), 3),
        ...seeds.map((r) => fmt(scoreAt(r, name).brier ?? NaN, 4)),
        fmt(mean((r) => scoreAt(r, name).brier ?? NaN), 4),
      ]),
    ),
  );
  const gap = (ceiling: string) => seeds.map((r) => (scoreAt(r, ceiling).auc ?? NaN) - (scoreAt(r, names[0]).auc ?? NaN));
  const gapObservable = gap(names[2]);
  const gapOmniscient = gap(names[1]);
  console.log(`\nAUC gap, model to the observable ceiling: ${gapObservable.map((g) => fmt(g, 3)).join(', ')} (goal <= 0.03: ${gapObservable.every((g) => g <= 0.03) ? 'met' : 'missed'})`);
  console.log(`AUC gap, model to the omniscient ceiling: ${gapOmniscient.map((g) => fmt(g, 3)).join(', ')} (goal <= 0.03: ${gapOmniscient.every((g) => g <= 0.03) ? 'met' : 'missed'})`);
  console.log(`Show rate: training ${seeds.map((r) => fmt(r.trainShowRate, 3)).join(', ')}; held out ${seeds.map((r) => fmt(r.heldOutShowRate, 3)).join(', ')}`);

  const first = seeds[0];
  console.log(`\n### Calibration by decile of the prediction, held out, ${first.seed} (mean predicted / observed show rate)\n`);
  const deciles = (s: Scored) => s.calibration.map((c) => `${fmt(c.meanPredicted ?? NaN, 3)} / ${fmt(c.observedRate ?? NaN, 3)}`);
  const model = deciles(scoreAt(first, names[0]));
  const observable = deciles(scoreAt(first, names[2]));
  const omniscient = deciles(scoreAt(first, names[1]));
  const base = deciles(scoreAt(first, names[3]));
  console.log(
    table(
      ['decile', 'n', 'show model', 'observable ceiling', 'omniscient ceiling', 'base-rate fallback'],
      scoreAt(first, names[0]).calibration.map((c, i) => [c.decile, c.n, model[i], observable[i], omniscient[i], base[i]]),
    ),
  );
  const worst = (s: Scored) => Math.max(...s.calibration.map((c) => Math.abs((c.observedRate ?? 0) - (c.meanPredicted ?? 0))));
  console.log(`\nLargest |observed - predicted| over the deciles, show model: ${seeds.map((r) => fmt(worst(scoreAt(r, names[0])), 3)).join(', ')}`);

  console.log(`\n### At booking, before any reminder has gone: held out, ${seeds.length} seeds\n`);
  console.log(`(Delivered share of the earlier part's due reminders: ${seeds.map((r) => fmt(r.deliveredShare, 3)).join(', ')})\n`);
  console.log(
    table(
      ['predictor', 'AUC mean', 'Brier mean', ...seeds.map((r) => `mean predicted − observed, ${r.seed}`), 'largest decile gap per seed'],
      [names[0], AT_BOOKING_PENDING, AT_BOOKING_EXPECTED].map((name) => [
        name,
        fmt(mean((r) => scoreAt(r, name).auc ?? NaN), 3),
        fmt(mean((r) => scoreAt(r, name).brier ?? NaN), 4),
        ...seeds.map((r) => fmt(meanBias(scoreAt(r, name)), 4)),
        seeds.map((r) => fmt(worst(scoreAt(r, name)), 3)).join(', '),
      ]),
    ),
  );
  console.log(`\n### Calibration at booking by decile, held out, ${first.seed} (mean predicted / observed show rate)\n`);
  const pendingDeciles = deciles(scoreAt(first, AT_BOOKING_PENDING));
  const expectedDeciles = deciles(scoreAt(first, AT_BOOKING_EXPECTED));
  console.log(
    table(
      ['decile', 'reminder as pending', 'reminder at its expected effect'],
      scoreAt(first, AT_BOOKING_EXPECTED).calibration.map((c, i) => [c.decile, pendingDeciles[i], expectedDeciles[i]]),
    ),
  );

  let fit: ReturnType<typeof timeFit> | null = null;
  if (FIT_ROWS > 0) {
    fit = timeFit(FIT_ROWS);
    console.log(`\n### Fitting on ${fit.examples} examples (${fit.rows} rows)\n`);
    console.log(
      table(
        ['step', 'ms'],
        [
          ['generate the synthetic rows', fmt(fit.generateMs, 0)],
          ['customer histories, site rates, examples', fmt(fit.prepareMs, 0)],
          ['trainShowModel (prior strength + Newton), 3 runs', fit.fitMs.map((m) => fmt(m, 0)).join(', ')],
          ['trainShowModel, CPU of the first run', fmt(fit.fitCpuMs, 0)],
        ],
      ),
    );
    console.log(`\n(kind ${fit.kind}; heap ${fit.heapMiB} MiB after the fits)`);
  }
  const file = writeResult('model', { machine: box, settings: { seeds: SEEDS, rows: ROWS, sites: SITES, advisers: ADVISERS, weeks: WEEKS, from: FROM }, seeds, fit });
  console.log(`\nResults: ${file}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
