import fc from 'fast-check';
import { auc, brierScore, calibrationByDecile } from './metrics';

const RUNS = { numRuns: 300 };

/** Scores from a few values so that ties are common, labels of both classes somewhere. */
const scored = fc
  .array(fc.record({ score: fc.integer({ min: -5, max: 5 }).map((i) => i / 2), label: fc.constantFrom<0 | 1>(0, 1) }), { minLength: 2, maxLength: 60 })
  .filter((rows) => rows.some((r) => r.label === 1) && rows.some((r) => r.label === 0))
  .map((rows) => ({ scores: rows.map((r) => r.score), labels: rows.map((r) => r.label) }));

/** The definition: over every (positive, negative) pair, 1 if the positive scores higher, ½ if tied. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('auc', () => {
  it('equals the pairwise count', () => {
    fc.assert(
      fc.property(scored, ({ scores, labels }) => Math.abs((auc(scores, labels) ?? NaN) - pairwiseAuc(scores, labels)) < 1e-12),
      RUNS,
    );
  });

  it('depends only on the order of the scores', () => {
    const increasing = [(x: number) => Math.exp(x), (x: number) => 3 * x - 7, (x: number) => x ** 3, (x: number) => 1 / (1 + Math.exp(-x))];
    fc.assert(
      fc.property(scored, fc.constantFrom(...increasing), ({ scores, labels }, f) => auc(scores.map(f), labels) === auc(scores, labels)),
      RUNS,
    );
  });

  it('is 1 for a perfect ranking, 0 reversed, ½ when all tie', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), (negatives, positives) => {
        const labels = [...Array<0>(negatives).fill(0), ...Array<1>(positives).fill(1)];
        const ranks = labels.map((_, i) => i);
        return auc(ranks, labels) === 1 && auc(ranks.map((r) => -r), labels) === 0 && auc(labels.map(() => 0.3), labels) === 0.5;
      }),
      RUNS,
    );
  });

  it('is null without both classes', () => {
    expect(auc([0.1, 0.9], [1, 1])).toBeNull();
    expect(auc([], [])).toBeNull();
  });

  it('refuses mismatched lengths', () => {
    expect(() => auc([0.1], [1, 0])).toThrow(RangeError);
  });

  it('takes typed arrays', () => {
    expect(auc(Float64Array.from([0.2, 0.8, 0.5]), Uint8Array.from([0, 1, 0]))).toBe(1);
  });
});

describe('brierScore', () => {
  it('is the mean squared error', () => {
    expect(brierScore([0.9, 0.2, 0.5], [1, 0, 1])).toBeCloseTo((0.01 + 0.04 + 0.25) / 3, 12);
  });

  it('is 0 when certain and right, 1 when certain and wrong, null when empty', () => {
    expect(brierScore([1, 0], [1, 0])).toBe(0);
    expect(brierScore([0, 1], [1, 0])).toBe(1);
    expect(brierScore([], [])).toBeNull();
  });
});

describe('calibrationByDecile', () => {
  it('puts a tenth of the rows in each decile, by rank of the prediction', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)), { minLength: 10, maxLength: 300 }), (rows) => {
        const probabilities = rows.map(([p]) => p);
        const table = calibrationByDecile(probabilities, rows.map(([, y]) => y));
        const sizes = table.map((row) => row.n);
        const means = table.map((row) => row.meanPredicted ?? NaN);
        return (
          sizes.reduce((a, b) => a + b, 0) === rows.length &&
          Math.max(...sizes) - Math.min(...sizes) <= 1 &&
          means.every((m, i) => i === 0 || means[i - 1] <= m + 1e-12) &&
          table.every((row, i) => row.decile === i + 1)
        );
      }),
      RUNS,
    );
  });

  it('reports the observed rate of each decile', () => {
    const probabilities = Array.from({ length: 100 }, (_, i) => i / 100);
    const labels = probabilities.map((_, i) => (i % 10 < Math.floor(i / 10) ? 1 : 0));
    const table = calibrationByDecile(probabilities, labels);
    expect(table.map((row) => row.observedRate)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(table[3]).toEqual({ decile: 4, n: 10, meanPredicted: expect.closeTo(0.345, 12), observedRate: 0.3 });
  });

  it('leaves deciles empty, with nulls, when there are fewer than ten rows', () => {
    const table = calibrationByDecile([0.2, 0.7], [0, 1]);
    expect(table.filter((row) => row.n === 0).every((row) => row.meanPredicted === null && row.observedRate === null)).toBe(true);
    expect(table.filter((row) => row.n === 1).map((row) => row.observedRate)).toEqual([0, 1]);
  });
});
