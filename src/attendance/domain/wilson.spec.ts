import fc from 'fast-check';
import { wilsonInterval } from './wilson';

const RUNS = { numRuns: 300 };
const countAndTotal = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

describe('wilsonInterval', () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med 1998, Table I
  // (method 3, score interval without continuity correction), and three worked by hand from
  // (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with z = 1.96.
  it.each<[number, number, number, number]>([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [1, 20, 0.0089, 0.2361],
  ])('%i of %i: %f to %f', (successes, n, low, high) => {
    const interval = wilsonInterval(successes, n);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('says nothing is known without trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('is exactly 0 or 1 at the ends', () => {
    expect(wilsonInterval(0, 7).low).toBe(0);
    expect(wilsonInterval(7, 7).high).toBe(1);
  });

  it('refuses counts that are not a proportion', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });

  it('contains the observed rate and stays inside [0, 1]', () => {
    fc.assert(
      fc.property(countAndTotal, ([successes, n]) => {
        const { low, high } = wilsonInterval(successes, n);
        const p = successes / n;
        return 0 <= low && low <= p && p <= high && high <= 1;
      }),
      RUNS,
    );
  });

  it('is the mirror image for failures', () => {
    fc.assert(
      fc.property(countAndTotal, ([successes, n]) => {
        const a = wilsonInterval(successes, n);
        const b = wilsonInterval(n - successes, n);
        return Math.abs(a.low - (1 - b.high)) < 1e-12 && Math.abs(a.high - (1 - b.low)) < 1e-12;
      }),
      RUNS,
    );
  });

  it('narrows as n grows at the same observed rate', () => {
    fc.assert(
      fc.property(countAndTotal, fc.integer({ min: 2, max: 50 }), ([successes, n], k) => {
        const small = wilsonInterval(successes, n);
        const large = wilsonInterval(k * successes, k * n);
        return large.high - large.low < small.high - small.low;
      }),
      RUNS,
    );
  });

  it('widens with the confidence level', () => {
    fc.assert(
      fc.property(countAndTotal, ([successes, n]) => {
        const at95 = wilsonInterval(successes, n);
        const at99 = wilsonInterval(successes, n, 2.576);
        return at99.low <= at95.low && at95.high <= at99.high;
      }),
      RUNS,
    );
  });
});
