import fc from 'fast-check';
import { Rng } from '../../common/random/rng';
import { Counts, DEFAULT_PRIOR_STRENGTH, fitBetaPrior, fitPredictiveStrength, NextOutcome, PRIOR_STRENGTH_LIMITS, smoothedRate } from './smoothing';

const RUNS = { numRuns: 300 };
const rate = fc.double({ min: 0.01, max: 0.99, noNaN: true });
const prior = fc.record({ mean: rate, strength: fc.double({ min: 1, max: 1000, noNaN: true }) });
const counts = fc.integer({ min: 0, max: 500 }).chain((n) => fc.record({ successes: fc.integer({ min: 0, max: n }), n: fc.constant(n) }));

/** Groups whose true rates are drawn from Beta(mean, strength), as the method assumes. */
function betaBinomialGroups(rng: Rng, groups: number, mean: number, strength: number, sizes: [number, number]): Counts[] {
  return Array.from({ length: groups }, () => {
    const p = rng.beta(mean * strength, (1 - mean) * strength);
    const n = rng.int(...sizes);
    let successes = 0;
    for (let i = 0; i < n; i++) if (rng.chance(p)) successes++;
    return { successes, n };
  });
}

describe('smoothedRate', () => {
  it('pulls 3 of 3 toward the prior', () => {
    expect(smoothedRate(3, 3, { mean: 0.8, strength: 10 })).toBeCloseTo((3 + 8) / 13, 12);
  });

  it('lies between the raw rate and the prior mean', () => {
    fc.assert(
      fc.property(counts.filter((c) => c.n > 0), prior, ({ successes, n }, p) => {
        const smoothed = smoothedRate(successes, n, p);
        const raw = successes / n;
        return Math.min(raw, p.mean) - 1e-12 <= smoothed && smoothed <= Math.max(raw, p.mean) + 1e-12;
      }),
      RUNS,
    );
  });

  it('is the prior mean without data', () => {
    fc.assert(fc.property(prior, (p) => Math.abs(smoothedRate(0, 0, p) - p.mean) < 1e-15), RUNS);
  });

  it('approaches the raw rate as n grows: the gap is at most strength/(n + strength)', () => {
    fc.assert(
      fc.property(rate, prior, fc.integer({ min: 1, max: 1e7 }), (raw, p, n) => {
        const successes = Math.round(raw * n);
        const gap = Math.abs(smoothedRate(successes, n, p) - successes / n);
        return gap <= p.strength / (n + p.strength) + 1e-12;
      }),
      RUNS,
    );
  });
});

describe('fitBetaPrior', () => {
  it('recovers the strength and mean of simulated sites', () => {
    const rng = new Rng('fitBetaPrior');
    const fitted = fitBetaPrior(betaBinomialGroups(rng, 400, 0.8, 40, [20, 200]), 0.5);
    expect(fitted.mean).toBeCloseTo(0.8, 1);
    // 400 groups: the estimate's sampling error is roughly ±20%.
    expect(fitted.strength).toBeGreaterThan(40 * 0.7);
    expect(fitted.strength).toBeLessThan(40 / 0.7);
  });

  it('falls back to the default strength with few groups, and pulls their mean toward the fallback', () => {
    const fitted = fitBetaPrior(
      [
        { successes: 3, n: 3 },
        { successes: 2, n: 2 },
      ],
      0.5,
    );
    expect(fitted).toEqual({ mean: (5 + DEFAULT_PRIOR_STRENGTH * 0.5) / (5 + DEFAULT_PRIOR_STRENGTH), strength: DEFAULT_PRIOR_STRENGTH });
  });

  it('gives the fallback mean without data', () => {
    expect(fitBetaPrior([{ successes: 0, n: 0 }], 0.85)).toEqual({ mean: 0.85, strength: DEFAULT_PRIOR_STRENGTH });
  });

  it('cannot tell spread from chance when every group has one trial', () => {
    const singles = Array.from({ length: 50 }, (_, i) => ({ successes: i % 3 === 0 ? 0 : 1, n: 1 }));
    expect(fitBetaPrior(singles, 0.5).strength).toBe(DEFAULT_PRIOR_STRENGTH);
  });

  it('trusts the prior fully when groups are identical, and hardly at all when they are all-or-nothing', () => {
    const identical = Array.from({ length: 20 }, () => ({ successes: 8, n: 10 }));
    expect(fitBetaPrior(identical, 0.5).strength).toBe(PRIOR_STRENGTH_LIMITS.max);
    const allOrNothing = Array.from({ length: 20 }, (_, i) => ({ successes: i % 2 === 0 ? 10 : 0, n: 10 }));
    expect(fitBetaPrior(allOrNothing, 0.5).strength).toBe(PRIOR_STRENGTH_LIMITS.min);
  });

  it('always gives a strength within the limits and a mean inside (0, 1)', () => {
    fc.assert(
      fc.property(fc.array(counts, { maxLength: 40 }), rate, (groups, fallback) => {
        const { mean, strength } = fitBetaPrior(groups, fallback);
        return mean > 0 && mean < 1 && strength >= PRIOR_STRENGTH_LIMITS.min && strength <= PRIOR_STRENGTH_LIMITS.max;
      }),
      RUNS,
    );
  });
});

describe('fitPredictiveStrength', () => {
  /** Customers with a propensity from Beta(mean, strength), a history of 1-15, then one more appointment. */
  function customers(rng: Rng, count: number, strength: number): NextOutcome[] {
    return Array.from({ length: count }, () => {
      const mean = rng.pick([0.7, 0.8, 0.9]);
      const p = rng.beta(mean * strength, (1 - mean) * strength);
      const n = rng.int(1, 15);
      let successes = 0;
      for (let i = 0; i < n; i++) if (rng.chance(p)) successes++;
      return { successes, n, mean, outcome: rng.chance(p) ? 1 : 0 };
    });
  }

  it('recovers the strength that generated the customers', () => {
    const fitted = fitPredictiveStrength(customers(new Rng('predictive'), 20000, 6));
    expect(fitted).toBeGreaterThan(6 * 0.7);
    expect(fitted).toBeLessThan(6 / 0.7);
  });

  it('leans on the prior when customers do not differ', () => {
    const homogeneous = customers(new Rng('homogeneous'), 20000, 1e6);
    expect(fitPredictiveStrength(homogeneous)).toBeGreaterThan(200);
  });

  it('uses the default when few records have any history', () => {
    const cases: NextOutcome[] = Array.from({ length: 1000 }, (_, i) => ({ successes: 0, n: i < 10 ? 1 : 0, mean: 0.8, outcome: 1 }));
    expect(fitPredictiveStrength(cases)).toBe(DEFAULT_PRIOR_STRENGTH);
  });
});
