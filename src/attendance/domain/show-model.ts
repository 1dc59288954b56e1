import { auc, brierScore, calibrationByDecile, CalibrationRow } from './metrics';
import { ShowExample, ShowSignals } from './show-signals';
import { fitPredictiveStrength, smoothedRate } from './smoothing';

/**
 * The probability that a booking's customer turns up, and why, from what was known when it
 * was estimated (ShowSignals). A logistic regression over named features when there is
 * enough history to fit one; otherwise the customer's own record smoothed toward the site's
 * show rate. Models are plain JSON so they can be stored (jsonb) and reloaded unchanged.
 */

/** What a model needs besides its weights to turn signals into features. */
export interface ShowEncoding {
  /** Pseudo-appointments at the site's show rate that a customer's own record is pulled toward. */
  priorStrength: number;
  /** The training rows' mean site show rate: the typical site that a site's rate is measured from. */
  referenceSiteShowRate: number;
}

export interface LogisticShowModel extends ShowEncoding {
  kind: 'logistic';
  intercept: number;
  /** By feature name (see encodeShowSignals); a feature missing here, such as a new appointment type, counts for nothing. */
  weights: Record<string, number>;
  l2: number;
  trainedOn: number;
}

export interface BaseRateShowModel {
  kind: 'base_rates';
  priorStrength: number;
  trainedOn: number;
}

export type ShowModel = LogisticShowModel | BaseRateShowModel;

/** The groups of features whose effects are explained one by one. */
export type ShowFactorGroup =
  | 'history'
  | 'site'
  | 'lead'
  | 'source'
  | 'mandatory'
  | 'appointmentType'
  | 'channel'
  | 'weekday'
  | 'hour'
  | 'reminder'
  | 'confirmed';

export interface ShowFeature {
  group: ShowFactorGroup;
  name: string;
  value: number;
}

export interface ShowFactor {
  group: ShowFactorGroup;
  /** Plain English for a site manager or adviser: "customer history: 5 of 6 missed". */
  factor: string;
  /**
   * The probability as it is minus the probability with this group at its neutral value (no
   * history, booked the same day, reminder pending, not confirmed, the typical site, or for
   * categories such as weekday the typical one), to 2 decimals.
   */
  effect: number;
}

export interface ShowScore {
  probability: number;
  /** The largest effects first, at most MAX_FACTORS, none that round to 0. */
  factors: ShowFactor[];
}

export interface ShowEvaluation {
  n: number;
  /** Null without both outcomes in the held-out rows. */
  auc: number | null;
  brier: number | null;
  calibration: CalibrationRow[];
  /** The held-out rows' show rate, the yardstick for the Brier score. */
  baseRate: number | null;
}

export interface FitOptions {
  /** Gaussian prior on each weight (not the intercept): the penalty is l2/2 · Σw², against the summed log-likelihood. */
  l2?: number;
  maxIterations?: number;
  /** Use this customer prior strength instead of fitting it. */
  priorStrength?: number;
}

export interface TrainedShowModel {
  model: ShowModel;
  fallback: boolean;
  /** Why the fallback was used, in plain English. */
  reason?: string;
}

/** Below these, a fitted model is mostly noise: the fallback is used. */
export const MIN_EXAMPLES_FOR_LOGISTIC = 300;
export const MIN_EACH_OUTCOME = 30;
export const MAX_FACTORS = 5;
// A weak prior: with a year of bookings it hardly matters, with a few hundred it tames rare categories.
const DEFAULT_L2 = 1;
const DEFAULT_MAX_ITERATIONS = 50;
// Newton converges quadratically: after a step this small the next would be below 1e-8, so it is
// taken without another pass over the data to confirm it.
const NEWTON_TOLERANCE = 1e-4;
// A site rate of exactly 0 or 1 would give an infinite logit: the site rate should arrive smoothed, but may not.
const RATE_FLOOR = 0.01;

const clampRate = (rate: number): number => Math.min(1 - RATE_FLOOR, Math.max(RATE_FLOOR, rate));
const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** log10(1 + x): counts and days on a scale of about 0-2, like the 0/1 features, so one penalty suits all. */
const decades = (x: number): number => Math.log10(1 + x);

type Emit = (name: string, value: number) => void;

interface GroupDefinition {
  group: ShowFactorGroup;
  encode(signals: ShowSignals, encoding: ShowEncoding, emit: Emit): void;
  describe(signals: ShowSignals): string;
}

const historyCount = (signals: ShowSignals): number => signals.history.showed + signals.history.missed;

/** The customer's record smoothed toward their site's rate: the base-rate model, and the history feature's core. */
function smoothedHistory(signals: ShowSignals, priorStrength: number): number {
  return smoothedRate(signals.history.showed, historyCount(signals), { mean: clampRate(signals.siteShowRate), strength: priorStrength });
}

// Lead time: the logarithm carries the trend, the buckets its bends; 0-2 days is the reference.
const LEAD_BUCKETS: readonly { maxDays: number; name: string | null }[] = [
  { maxDays: 2, name: null },
  { maxDays: 7, name: 'lead:3-7' },
  { maxDays: 14, name: 'lead:8-14' },
  { maxDays: 28, name: 'lead:15-28' },
  { maxDays: Infinity, name: 'lead:29+' },
];

const HOUR_BANDS: readonly { before: number; name: string; label: string }[] = [
  { before: 10, name: 'hour:before-10', label: 'starts before 10:00' },
  { before: 12, name: 'hour:10-12', label: 'starts 10:00-12:00' },
  { before: 14, name: 'hour:12-14', label: 'starts 12:00-14:00' },
  { before: 16, name: 'hour:14-16', label: 'starts 14:00-16:00' },
  { before: Infinity, name: 'hour:16+', label: 'starts 16:00 or later' },
];
const hourBand = (hour: number) => HOUR_BANDS.find((band) => hour < band.before)!;

// Feature names for the fixed vocabularies, built once: fitting looks a name up for every row.
const featureNames = <K extends string>(prefix: string, levels: readonly K[]) =>
  Object.fromEntries(levels.map((level) => [level, `${prefix}:${level}`])) as Record<K, string>;
const SOURCES = ['jcp', 'partner', 'self'] as const;
const SOURCE_FEATURES = featureNames('source', SOURCES);
const MANDATORY_FEATURES = featureNames('mandatory', SOURCES);
const CHANNEL_FEATURES = featureNames('channel', ['face_to_face', 'telephone', 'video'] as const);
const REMINDER_FEATURES = featureNames('reminder', ['delivered', 'failed'] as const);
/** By ISO weekday - 1. */
const WEEKDAY_FEATURES = [1, 2, 3, 4, 5, 6, 7].map((day) => `weekday:${day}`);

const SOURCE_LABELS: Record<ShowSignals['referralSource'], string> = {
  jcp: 'referred by Jobcentre Plus',
  partner: 'referred by a partner',
  self: 'self-referral',
};
const CHANNEL_LABELS: Record<ShowSignals['channel'], string> = {
  face_to_face: 'face to face',
  telephone: 'by telephone',
  video: 'by video',
};
const REMINDER_LABELS: Record<ShowSignals['reminder'], string> = {
  pending: 'no reminder yet',
  delivered: 'reminder delivered',
  failed: 'reminders failed',
};
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// The one group the base-rate model explains itself by.
const HISTORY: GroupDefinition = {
  group: 'history',
  encode(signals, encoding, emit) {
    const n = historyCount(signals);
    if (n === 0) return;
    emit('history:vs_site', logit(smoothedHistory(signals, encoding.priorStrength)) - logit(clampRate(signals.siteShowRate)));
    emit('history:count', decades(n));
  },
  describe: (signals) => `customer history: ${signals.history.missed} of ${historyCount(signals)} missed`,
};

/**
 * Groups with a natural neutral value (no history, same day, pending, not confirmed, not
 * mandatory) emit nothing at it. Categories without one (source, type, channel, weekday,
 * hour) are one-hot over every level: the penalty centres their weights, so 0 means
 * "typical" and an unseen level scores as typical.
 */
const GROUPS: readonly GroupDefinition[] = [
  HISTORY,
  {
    group: 'site',
    encode: (signals, encoding, emit) =>
      emit('site:vs_typical', logit(clampRate(signals.siteShowRate)) - logit(clampRate(encoding.referenceSiteShowRate))),
    describe: (signals) => `site show rate ${Math.round(clampRate(signals.siteShowRate) * 100)}%`,
  },
  {
    group: 'lead',
    encode(signals, _encoding, emit) {
      emit('lead:log', decades(signals.leadDays));
      const bucket = LEAD_BUCKETS.find((b) => signals.leadDays <= b.maxDays)!;
      if (bucket.name) emit(bucket.name, 1);
    },
    describe: ({ leadDays }) => (leadDays === 0 ? 'booked the same day' : `booked ${leadDays} day${leadDays === 1 ? '' : 's'} ahead`),
  },
  {
    group: 'source',
    encode: (signals, _encoding, emit) => emit(SOURCE_FEATURES[signals.referralSource], 1),
    describe: (signals) => SOURCE_LABELS[signals.referralSource],
  },
  {
    // By source: a mandatory JCP referral (benefit conditionality) is not a partner's "mandatory".
    group: 'mandatory',
    encode: (signals, _encoding, emit) => {
      if (signals.mandatory) emit(MANDATORY_FEATURES[signals.referralSource], 1);
    },
    describe: (signals) => (signals.mandatory ? `mandatory referral (${signals.referralSource})` : 'voluntary'),
  },
  {
    group: 'appointmentType',
    encode: (signals, _encoding, emit) => emit(`type:${signals.appointmentType}`, 1),
    describe: (signals) => `appointment type ${signals.appointmentType}`,
  },
  {
    group: 'channel',
    encode: (signals, _encoding, emit) => emit(CHANNEL_FEATURES[signals.channel], 1),
    describe: (signals) => CHANNEL_LABELS[signals.channel],
  },
  {
    group: 'weekday',
    encode: (signals, _encoding, emit) => emit(WEEKDAY_FEATURES[signals.weekday - 1], 1),
    describe: (signals) => WEEKDAYS[signals.weekday - 1],
  },
  {
    group: 'hour',
    encode: (signals, _encoding, emit) => emit(hourBand(signals.hour).name, 1),
    describe: (signals) => hourBand(signals.hour).label,
  },
  {
    group: 'reminder',
    encode: (signals, _encoding, emit) => {
      if (signals.reminder !== 'pending') emit(REMINDER_FEATURES[signals.reminder], 1);
    },
    describe: (signals) => REMINDER_LABELS[signals.reminder],
  },
  {
    group: 'confirmed',
    encode: (signals, _encoding, emit) => {
      if (signals.confirmed) emit('confirmed', 1);
    },
    describe: (signals) => (signals.confirmed ? 'customer confirmed' : 'not confirmed'),
  },
];

/** Calls `emit` for each non-zero feature, with the index of its group in GROUPS. */
function eachFeature(signals: ShowSignals, encoding: ShowEncoding, emit: (group: number, name: string, value: number) => void): void {
  // One closure per row, not per group: fitting encodes a million rows.
  let group = 0;
  const emitNonZero: Emit = (name, value) => {
    if (value !== 0) emit(group, name, value);
  };
  for (; group < GROUPS.length; group++) GROUPS[group].encode(signals, encoding, emitNonZero);
}

/**
 * The sparse row the logistic model sees: named features, zeros left out. Exported for
 * inspection and for anyone fitting elsewhere; scoring and fitting go through the same code.
 */
export function encodeShowSignals(signals: ShowSignals, encoding: ShowEncoding): ShowFeature[] {
  const features: ShowFeature[] = [];
  eachFeature(signals, encoding, (group, name, value) => features.push({ group: GROUPS[group].group, name, value }));
  return features;
}

/** Linear predictor per group, in GROUPS order. */
function groupContributions(model: LogisticShowModel, signals: ShowSignals): Float64Array {
  const contributions = new Float64Array(GROUPS.length);
  eachFeature(signals, model, (group, name, value) => {
    contributions[group] += (model.weights[name] ?? 0) * value;
  });
  return contributions;
}

const logOdds = (model: LogisticShowModel, contributions: Float64Array): number => contributions.reduce((sum, c) => sum + c, model.intercept);

/** The probability alone, for bulk use (evaluation, overbooking); scoreShow adds the reasons. */
export function showProbability(model: ShowModel, signals: ShowSignals): number {
  if (model.kind === 'base_rates') return smoothedHistory(signals, model.priorStrength);
  return sigmoid(logOdds(model, groupContributions(model, signals)));
}

type GroupEffects = { probability: number; effects: Float64Array };

/**
 * The probability and each group's unrounded effect, in GROUPS order: the probability as it is
 * minus the probability with that group at its neutral value.
 */
function groupEffects(model: ShowModel, signals: ShowSignals): GroupEffects {
  const effects = new Float64Array(GROUPS.length);
  if (model.kind === 'base_rates') {
    const probability = smoothedHistory(signals, model.priorStrength);
    // Without the customer's record the base-rate model says the site's rate, and it has no other group.
    if (historyCount(signals) > 0) effects[GROUPS.indexOf(HISTORY)] = probability - clampRate(signals.siteShowRate);
    return { probability, effects };
  }
  const contributions = groupContributions(model, signals);
  const eta = logOdds(model, contributions);
  const probability = sigmoid(eta);
  contributions.forEach((contribution, group) => (effects[group] = probability - sigmoid(eta - contribution)));
  return { probability, effects };
}

/** The probability and its largest reasons, each as the change in probability it makes. */
export function scoreShow(model: ShowModel, signals: ShowSignals): ShowScore {
  const { probability, effects } = groupEffects(model, signals);
  return { probability, factors: explain(effects, (definition) => definition.describe(signals)) };
}

/** One way a booking's signals may yet turn out, and its chance. */
export interface ShowOutcome {
  signals: ShowSignals;
  weight: number;
}

/**
 * The score of a booking whose signals are not all settled, as its expectation over the ways
 * they may turn out (weights summing to 1). Each group's effect is the weighted mean of its
 * effects, which is the expected probability less the expected probability with that group at
 * its neutral value, so the factors mean what scoreShow's mean. A group whose value differs
 * between the outcomes has no single description: `labels` gives it one, and a group that
 * differs without a label is refused rather than described as one of the outcomes.
 */
export function scoreShowExpected(model: ShowModel, outcomes: readonly ShowOutcome[], labels: Partial<Record<ShowFactorGroup, string>>): ShowScore {
  if (!outcomes.length) throw new RangeError('an expectation needs at least one outcome');
  let probability = 0;
  const effects = new Float64Array(GROUPS.length);
  for (const { signals, weight } of outcomes) {
    const scored = groupEffects(model, signals);
    probability += weight * scored.probability;
    scored.effects.forEach((effect, group) => (effects[group] += weight * effect));
  }
  const describe = (definition: GroupDefinition): string => {
    const label = labels[definition.group];
    if (label !== undefined) return label;
    const [first, ...rest] = outcomes.map(({ signals }) => definition.describe(signals));
    if (rest.some((other) => other !== first)) throw new RangeError(`the outcomes differ in ${definition.group}: give it a label`);
    return first;
  };
  return { probability, factors: explain(effects, describe) };
}

function explain(effects: Float64Array, describe: (definition: GroupDefinition) => string): ShowFactor[] {
  const rounded = (effect: number) => Math.round(effect * 100) / 100;
  return GROUPS.map((definition, group) => ({ definition, effect: effects[group] }))
    .filter(({ effect }) => rounded(effect) !== 0)
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
    .slice(0, MAX_FACTORS)
    .map(({ definition, effect }) => ({ group: definition.group, factor: describe(definition), effect: rounded(effect) }));
}

const historyCases = (examples: readonly ShowExample[]) =>
  examples.map(({ signals, showed }) => ({ successes: signals.history.showed, n: historyCount(signals), mean: clampRate(signals.siteShowRate), outcome: showed }));

/**
 * The fallback: the customer's record smoothed toward the site's rate, by default with the
 * strength that best predicted these examples.
 */
export function baseRateModel(examples: readonly ShowExample[], priorStrength = fitPredictiveStrength(historyCases(examples))): BaseRateShowModel {
  return { kind: 'base_rates', priorStrength, trainedOn: examples.length };
}

/** Why the examples are too few for a fitted model, or null when they will do. */
function tooLittleData(examples: readonly ShowExample[]): string | null {
  const n = examples.length;
  if (n < MIN_EXAMPLES_FOR_LOGISTIC) return `only ${n} examples; a fitted model needs at least ${MIN_EXAMPLES_FOR_LOGISTIC}`;
  const showed = examples.reduce((sum, e) => sum + e.showed, 0);
  const fewest = Math.min(showed, n - showed);
  if (fewest >= MIN_EACH_OUTCOME) return null;
  const outcome = showed < n - showed ? 'attendances' : 'DNAs';
  return `${fewest === 0 ? 'no' : `only ${fewest}`} ${outcome} among ${n} examples; a fitted model needs at least ${MIN_EACH_OUTCOME} of each outcome`;
}

/** The model to use for these examples: fitted when there is enough data, else the base rates, saying why. */
export function trainShowModel(examples: readonly ShowExample[], options: FitOptions = {}): TrainedShowModel {
  const reason = tooLittleData(examples);
  if (reason) return { model: baseRateModel(examples, options.priorStrength), fallback: true, reason };
  return { model: fitShowModel(examples, options), fallback: false };
}

export function evaluateShowModel(model: ShowModel, heldOut: readonly ShowExample[]): ShowEvaluation {
  const probabilities = Float64Array.from(heldOut, (e) => showProbability(model, e.signals));
  const labels = Uint8Array.from(heldOut, (e) => e.showed);
  return {
    n: heldOut.length,
    auc: auc(probabilities, labels),
    brier: brierScore(probabilities, labels),
    calibration: calibrationByDecile(probabilities, labels),
    baseRate: heldOut.length === 0 ? null : labels.reduce((sum, y) => sum + y, 0) / heldOut.length,
  };
}

/**
 * Fits the logistic model however little data there is (trainShowModel is the usual entry
 * point). L2-penalised logistic regression by Newton's method (IRLS) with step halving: the
 * rows are sparse (about a dozen features of about 60), so one pass accumulates the gradient
 * and the small dense Hessian in O(rows · nnz²), and as the penalised log-likelihood is
 * strictly concave, Newton converges in a handful of passes where first-order methods need
 * hundreds.
 */
export function fitShowModel(examples: readonly ShowExample[], options: FitOptions = {}): LogisticShowModel {
  const l2 = options.l2 ?? DEFAULT_L2;
  if (!(l2 > 0)) throw new RangeError(`l2 must be positive (one-hot categories are collinear without it), got ${l2}`);
  if (examples.length === 0) throw new RangeError('cannot fit a show model to no examples');
  const encoding: ShowEncoding = {
    priorStrength: options.priorStrength ?? fitPredictiveStrength(historyCases(examples)),
    referenceSiteShowRate: examples.reduce((sum, e) => sum + clampRate(e.signals.siteShowRate), 0) / examples.length,
  };
  const design = buildDesign(examples, encoding);
  const coefficients = newton(design, l2, options.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  return {
    kind: 'logistic',
    intercept: coefficients[0],
    weights: Object.fromEntries(design.names.map((name, j) => [name, coefficients[j + 1]])),
    l2,
    trainedOn: examples.length,
    ...encoding,
  };
}

/** Rows in compressed sparse form; column 0 is the intercept, implicit in every row. */
interface Design {
  names: string[];
  rowStart: Uint32Array;
  columns: Uint32Array;
  values: Float64Array;
  labels: Uint8Array;
}

function buildDesign(examples: readonly ShowExample[], encoding: ShowEncoding): Design {
  const columnOf = new Map<string, number>();
  const names: string[] = [];
  const rowStart = new Uint32Array(examples.length + 1);
  let columns = new Uint32Array(examples.length * 16);
  let values = new Float64Array(columns.length);
  let used = 0;
  examples.forEach((example, row) => {
    eachFeature(example.signals, encoding, (_group, name, value) => {
      let column = columnOf.get(name);
      if (column === undefined) {
        names.push(name);
        column = names.length;
        columnOf.set(name, column);
      }
      if (used === columns.length) {
        columns = grow(columns, new Uint32Array(used * 2));
        values = grow(values, new Float64Array(used * 2));
      }
      columns[used] = column;
      values[used++] = value;
    });
    rowStart[row + 1] = used;
  });
  return { names, rowStart, columns, values, labels: Uint8Array.from(examples, (e) => e.showed) };
}

function grow<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

interface NewtonPass {
  objective: number;
  gradient: Float64Array;
  /** Minus the Hessian of the objective: Xᵀ W X + l2 I (I without the intercept), row-major. */
  information: Float64Array;
}

function newton(design: Design, l2: number, maxIterations: number): Float64Array {
  const size = design.names.length + 1;
  const showRate = design.labels.reduce((sum, y) => sum + y, 0) / design.labels.length;
  let accepted: Float64Array = new Float64Array(size);
  accepted[0] = logit(clampRate(showRate));
  let acceptedObjective = -Infinity;
  let direction: Float64Array = new Float64Array(size);
  let step = 1;
  let current = accepted;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const pass = newtonPass(design, current, l2);
    if (pass.objective >= acceptedObjective) {
      accepted = current;
      acceptedObjective = pass.objective;
      direction = solvePositiveDefinite(pass.information, pass.gradient, size);
      step = 1;
      if (direction.every((d) => Math.abs(d) < NEWTON_TOLERANCE)) return accepted.map((w, j) => w + direction[j]);
    } else {
      // Overshot: try half the step along the same direction.
      step /= 2;
    }
    current = accepted.map((w, j) => w + step * direction[j]);
  }
  return accepted;
}

function newtonPass({ rowStart, columns, values, labels }: Design, coefficients: Float64Array, l2: number): NewtonPass {
  const size = coefficients.length;
  const gradient = new Float64Array(size);
  const information = new Float64Array(size * size);
  let objective = 0;
  for (let row = 0; row < labels.length; row++) {
    const start = rowStart[row];
    const end = rowStart[row + 1];
    let eta = coefficients[0];
    for (let k = start; k < end; k++) eta += coefficients[columns[k]] * values[k];
    const p = 1 / (1 + Math.exp(-eta));
    const y = labels[row];
    // log σ(η) = −log(1 + e^−η), written to stay finite for large |η|.
    const signed = y === 1 ? eta : -eta;
    objective -= signed > 0 ? Math.log1p(Math.exp(-signed)) : Math.log1p(Math.exp(signed)) - signed;
    const residual = y - p;
    const weight = p * (1 - p);
    gradient[0] += residual;
    information[0] += weight;
    for (let k = start; k < end; k++) {
      const a = columns[k];
      const weighted = weight * values[k];
      gradient[a] += residual * values[k];
      information[a] += weighted;
      const base = a * size;
      for (let m = k; m < end; m++) information[base + columns[m]] += weighted * values[m];
    }
  }
  // Each pair was added once, in whichever triangle the row's order put it: fold into both.
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      const total = information[a * size + b] + information[b * size + a];
      information[a * size + b] = total;
      information[b * size + a] = total;
    }
  }
  for (let j = 1; j < size; j++) {
    objective -= (l2 / 2) * coefficients[j] ** 2;
    gradient[j] -= l2 * coefficients[j];
    information[j * size + j] += l2;
  }
  return { objective, gradient, information };
}

/** Solves A x = b for symmetric positive-definite A (row-major) by Cholesky. */
function solvePositiveDefinite(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * size + j];
      for (let k = 0; k < j; k++) sum -= lower[i * size + k] * lower[j * size + k];
      lower[i * size + j] = i === j ? Math.sqrt(sum) : sum / lower[j * size + j];
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= lower[i * size + k] * y[k];
    y[i] = sum / lower[i * size + i];
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < size; k++) sum -= lower[k * size + i] * x[k];
    x[i] = sum / lower[i * size + i];
  }
  return x;
}
