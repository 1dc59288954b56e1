/**
 * Empirical Bayes for show rates: a site with 12 appointments or a customer with 3 is pulled
 * toward a prior instead of being taken at face value, so 3 of 3 attended is not "100%".
 * The prior is a Beta with a mean and a strength (in pseudo-appointments: 10 means the
 * prior counts as much as 10 real appointments).
 */
export interface BetaPrior {
  mean: number;
  strength: number;
}

export interface Counts {
  successes: number;
  n: number;
}

/** A record as it stood, the prior mean it is pulled toward, and what happened next. */
export interface NextOutcome extends Counts {
  mean: number;
  outcome: 0 | 1;
}

/**
 * Below 1 a single appointment would outweigh the whole prior; above 1000 a site with a year
 * of appointments would still barely move. Outside that range the estimate is noise.
 */
export const PRIOR_STRENGTH_LIMITS = { min: 1, max: 1000 } as const;
/** Used when the data cannot say: few groups, or records that cannot show spread. */
export const DEFAULT_PRIOR_STRENGTH = 10;

// Fewer groups than this give a variance that is mostly chance.
const MIN_GROUPS_FOR_MOMENTS = 5;
// Fewer records with any history than this give a predictive fit that is mostly chance.
const MIN_CASES_FOR_PREDICTION = 50;
// Golden-section steps on log(strength) over [log 1, log 1000]: 0.618^20 of that is 0.05% in strength.
const GOLDEN_SECTION_STEPS = 20;

export function smoothedRate(successes: number, n: number, prior: BetaPrior): number {
  return (successes + prior.strength * prior.mean) / (n + prior.strength);
}

const clampStrength = (strength: number): number => Math.min(PRIOR_STRENGTH_LIMITS.max, Math.max(PRIOR_STRENGTH_LIMITS.min, strength));

/**
 * A prior for groups that are independent of one another (sites, appointment types) by the
 * method of moments: the spread of the group rates beyond what chance alone would give
 * says how different groups really are, hence how far to trust a group's own rate.
 * The mean is the pooled rate, itself pulled toward `fallbackMean` so that a handful of
 * appointments (or none) cannot give a prior of 0 or 1.
 */
export function fitBetaPrior(groups: readonly Counts[], fallbackMean: number): BetaPrior {
  const observed = groups.filter((group) => group.n > 0);
  const successes = observed.reduce((sum, group) => sum + group.successes, 0);
  const total = observed.reduce((sum, group) => sum + group.n, 0);
  return {
    mean: smoothedRate(successes, total, { mean: fallbackMean, strength: DEFAULT_PRIOR_STRENGTH }),
    strength: momentStrength(observed, successes / total) ?? DEFAULT_PRIOR_STRENGTH,
  };
}

/**
 * For a beta-binomial with intra-group correlation ρ = 1/(strength + 1), the weighted sum of
 * squares S = Σ nᵢ(pᵢ − m)² has expectation m(1−m)[(k−1) + ρ(N − Σnᵢ²/N − (k−1))];
 * solving for ρ gives the estimate (Kleinman 1973). Null when the groups cannot tell.
 */
function momentStrength(groups: readonly Counts[], pooledRate: number): number | null {
  if (groups.length < MIN_GROUPS_FOR_MOMENTS) return null;
  // Every group all shows (or all DNAs): no spread at all, so the groups are alike.
  if (pooledRate === 0 || pooledRate === 1) return PRIOR_STRENGTH_LIMITS.max;
  const total = groups.reduce((sum, group) => sum + group.n, 0);
  let spread = 0;
  let sumOfSquaredSizes = 0;
  for (const { successes, n } of groups) {
    spread += n * (successes / n - pooledRate) ** 2;
    sumOfSquaredSizes += n * n;
  }
  const chanceDegrees = groups.length - 1;
  // Zero when every group has one trial: spread between groups and chance are then the same thing.
  const information = total - sumOfSquaredSizes / total - chanceDegrees;
  if (information <= 0) return null;
  const rho = (spread / (pooledRate * (1 - pooledRate)) - chanceDegrees) / information;
  return rho <= 0 ? PRIOR_STRENGTH_LIMITS.max : clampStrength(1 / rho - 1);
}

/**
 * The strength under which each smoothed record best predicts the outcome that followed it
 * (maximum predictive likelihood, golden section on log strength). For customers rather than
 * `fitBetaPrior`: training rows are snapshots of one growing history, so a regular customer
 * appears at every booking, which would mislead the moments; and predicting the next
 * outcome is exactly what the smoothed rate is for. Means must be inside (0, 1).
 */
export function fitPredictiveStrength(cases: readonly NextOutcome[]): number {
  const informative = cases.filter((c) => c.n > 0);
  if (informative.length < MIN_CASES_FOR_PREDICTION) return DEFAULT_PRIOR_STRENGTH;
  const logLikelihood = (logStrength: number): number => {
    const strength = Math.exp(logStrength);
    let sum = 0;
    for (const c of informative) {
      const p = (c.successes + strength * c.mean) / (c.n + strength);
      sum += Math.log(c.outcome === 1 ? p : 1 - p);
    }
    return sum;
  };
  return Math.exp(goldenSectionMax(logLikelihood, Math.log(PRIOR_STRENGTH_LIMITS.min), Math.log(PRIOR_STRENGTH_LIMITS.max)));
}

const INVERSE_GOLDEN = (Math.sqrt(5) - 1) / 2;

function goldenSectionMax(f: (x: number) => number, low: number, high: number): number {
  let a = low;
  let b = high;
  let c = b - INVERSE_GOLDEN * (b - a);
  let d = a + INVERSE_GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let step = 0; step < GOLDEN_SECTION_STEPS; step++) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INVERSE_GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INVERSE_GOLDEN * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
