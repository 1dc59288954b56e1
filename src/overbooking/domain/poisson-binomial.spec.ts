import fc from 'fast-check';
import { poissonBinomial, tailAbove } from './poisson-binomial';

const RUNS = { numRuns: 200 };
const probability = fc.double({ min: 0, max: 1, noNaN: true });
// Ends and halves as well as anything between, since 0 and 1 are where a recursion slips.
const showProbability = fc.oneof(probability, fc.constantFrom(0, 0.5, 1));
// Any length up to the bound, not fast-check's habitually short arrays.
const trials = (maxLength: number) => fc.array(showProbability, { maxLength, size: 'max' });

/** P(X = j) by summing over all 2^n outcomes: slow, but obviously right. */
function enumerate(probabilities: readonly number[]): number[] {
  const n = probabilities.length;
  const distribution = new Array<number>(n + 1).fill(0);
  for (let outcome = 0; outcome < 1 << n; outcome++) {
    let chance = 1;
    let successes = 0;
    probabilities.forEach((p, i) => {
      const success = (outcome >> i) & 1;
      chance *= success ? p : 1 - p;
      successes += success;
    });
    distribution[successes] += chance;
  }
  return distribution;
}

const close = (a: number, b: number, tolerance = 1e-12) => Math.abs(a - b) <= tolerance;

describe('poissonBinomial', () => {
  it('is certain of nothing happening without trials', () => {
    expect([...poissonBinomial([])]).toEqual([1]);
  });

  it.each<[number[], number[]]>([
    [[0.5], [0.5, 0.5]],
    [[0.5, 0.5], [0.25, 0.5, 0.25]],
    [[0.2, 0.5], [0.4, 0.5, 0.1]],
    [[0.1, 0.2, 0.3], [0.504, 0.398, 0.092, 0.006]],
  ])('%j: %j (worked by hand)', (probabilities, expected) => {
    [...poissonBinomial(probabilities)].forEach((p, j) => expect(p).toBeCloseTo(expected[j], 15));
  });

  it('agrees with enumeration of every outcome for up to 12 trials', () => {
    fc.assert(
      fc.property(trials(12), (probabilities) => {
        const exact = enumerate(probabilities);
        return [...poissonBinomial(probabilities)].every((p, j) => close(p, exact[j]));
      }),
      RUNS,
    );
  });

  it('sums to 1 and has mean Σp, however many trials', () => {
    fc.assert(
      fc.property(trials(300), (probabilities) => {
        const distribution = poissonBinomial(probabilities);
        const total = distribution.reduce((a, b) => a + b, 0);
        const mean = distribution.reduce((sum, p, j) => sum + p * j, 0);
        const expectedMean = probabilities.reduce((a, b) => a + b, 0);
        return close(total, 1, 1e-10) && close(mean, expectedMean, 1e-9 * Math.max(1, expectedMean)) && distribution.every((p) => p >= 0);
      }),
      { numRuns: 50 },
    );
  });

  it('is the binomial when all probabilities are equal', () => {
    const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), probability, (n, p) =>
        [...poissonBinomial(new Array(n).fill(p))].every((q, k) => close(q, choose(n, k) * p ** k * (1 - p) ** (n - k), 1e-12)),
      ),
      RUNS,
    );
  });

  it('does not depend on the order of the trials', () => {
    fc.assert(
      fc.property(trials(20).chain((ps) => fc.tuple(fc.constant(ps), fc.shuffledSubarray(ps, { minLength: ps.length }))), ([ps, shuffled]) => {
        const a = poissonBinomial(ps);
        const b = poissonBinomial(shuffled);
        return a.every((p, j) => close(p, b[j]));
      }),
      RUNS,
    );
  });

  it('ignores certain failures and shifts by certain successes', () => {
    fc.assert(
      fc.property(trials(15), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (ps, failures, successes) => {
        const base = poissonBinomial(ps);
        const padded = poissonBinomial([...new Array(failures).fill(0), ...ps, ...new Array(successes).fill(1)]);
        return padded.every((p, j) => (j < successes || j - successes > ps.length ? p === 0 : close(p, base[j - successes])));
      }),
      RUNS,
    );
  });

  it('keeps tiny probabilities that 1 − CDF would round away', () => {
    const distribution = poissonBinomial(new Array(10).fill(1e-3));
    expect(distribution[10] / 1e-30).toBeCloseTo(1, 12);
  });

  it.each([-0.1, 1.1, NaN, Infinity])('refuses %s as a probability', (p) => {
    expect(() => poissonBinomial([0.5, p])).toThrow(RangeError);
  });
});

describe('tailAbove', () => {
  it('is 1 below zero successes, 0 at or beyond all of them, and 0 without trials', () => {
    fc.assert(
      fc.property(trials(20), fc.integer({ min: 1, max: 5 }), (ps, beyond) => {
        expect(tailAbove(ps, -beyond)).toBe(1);
        expect(tailAbove(ps, ps.length + beyond - 1)).toBe(0);
      }),
      RUNS,
    );
    expect(tailAbove([], 0)).toBe(0);
    expect(tailAbove([], -1)).toBe(1);
  });

  it.each<[number[], number, number]>([
    [[0.5, 0.5], 1, 0.25],
    [[0.5, 0.5], 0, 0.75],
    [[0.9, 0.9], 1, 0.81],
    [[0.1, 0.2, 0.3], 1, 0.098],
    [[1, 1, 0], 1, 1],
    [[1, 1, 0], 2, 0],
  ])('%j above %i: %f', (ps, k, expected) => {
    expect(tailAbove(ps, k)).toBeCloseTo(expected, 15);
  });

  it('agrees with enumeration for up to 12 trials', () => {
    fc.assert(
      fc.property(
        trials(12).chain((ps) => fc.tuple(fc.constant(ps), fc.integer({ min: -1, max: ps.length }))),
        ([ps, k]) => close(tailAbove(ps, k), enumerate(ps).slice(k + 1).reduce((a, b) => a + b, 0)),
      ),
      RUNS,
    );
  });

  it('never falls when one probability rises, nor when a trial is added', () => {
    fc.assert(
      fc.property(
        fc.array(showProbability, { minLength: 1, maxLength: 15, size: 'max' }).chain((ps) =>
          fc.tuple(fc.constant(ps), fc.nat(ps.length - 1), probability, fc.integer({ min: -1, max: ps.length }), showProbability),
        ),
        ([ps, i, q, k, added]) => {
          const raised = ps.map((p, j) => (j === i ? Math.max(p, q) : p));
          // A hair of slack for rounding when the rise is itself a rounding error.
          return tailAbove(raised, k) >= tailAbove(ps, k) - 1e-15 && tailAbove([...ps, added], k) >= tailAbove(ps, k) - 1e-15;
        },
      ),
      RUNS,
    );
  });

  it('falls as k rises', () => {
    fc.assert(
      fc.property(trials(15), fc.integer({ min: -1, max: 15 }), (ps, k) => tailAbove(ps, k + 1) <= tailAbove(ps, k)),
      RUNS,
    );
  });

  it('refuses a fractional count', () => {
    expect(() => tailAbove([0.5], 0.5)).toThrow(RangeError);
    expect(() => tailAbove([0.5], NaN)).toThrow(RangeError);
  });
});
