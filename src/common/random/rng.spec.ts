import { Rng } from './rng';

const N = 40_000;

function moments(draw: () => number): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let squares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < N; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / N;
  return { mean, variance: squares / N - mean * mean, min, max };
}

const sequence = (seed: string | number, n = 20) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('Rng', () => {
  it('repeats its sequence for a seed and changes it with the seed', () => {
    expect(sequence('a')).toEqual(sequence('a'));
    expect(sequence('a')).not.toEqual(sequence('b'));
    expect(sequence(1)).toEqual(sequence('1'));
  });

  it('draws uniforms in [0, 1) and integers within their inclusive bounds', () => {
    const rng = new Rng('uniform');
    const u = moments(() => rng.next());
    expect(u.min).toBeGreaterThanOrEqual(0);
    expect(u.max).toBeLessThan(1);
    expect(u.mean).toBeCloseTo(0.5, 2);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(rng.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws normals with the mean and standard deviation asked for', () => {
    const rng = new Rng('normal');
    const standard = moments(() => rng.normal());
    expect(Math.abs(standard.mean)).toBeLessThan(0.03);
    expect(Math.sqrt(standard.variance)).toBeCloseTo(1, 1);
    const shifted = moments(() => rng.normal(10, 2));
    expect(Math.abs(shifted.mean - 10)).toBeLessThan(0.06);
    expect(Math.sqrt(shifted.variance)).toBeCloseTo(2, 1);
  });

  it.each([0.3, 1, 2.5, 9])('draws Gamma(%s) with mean and variance equal to the shape', (shape) => {
    const rng = new Rng(`gamma ${shape}`);
    const g = moments(() => rng.gamma(shape));
    expect(g.min).toBeGreaterThan(0);
    expect(Math.abs(g.mean / shape - 1)).toBeLessThan(0.05);
    expect(Math.abs(g.variance / shape - 1)).toBeLessThan(0.1);
  });

  it('refuses a gamma shape that is not positive', () => {
    const rng = new Rng('gamma');
    for (const shape of [0, -1, NaN]) expect(() => rng.gamma(shape)).toThrow(RangeError);
  });

  it.each([
    [2, 5],
    [0.5, 0.5],
    [6, 1.2],
  ])('draws Beta(%s, %s) inside [0, 1] with its mean and variance', (a, b) => {
    const rng = new Rng(`beta ${a} ${b}`);
    const x = moments(() => rng.beta(a, b));
    expect(x.min).toBeGreaterThanOrEqual(0);
    expect(x.max).toBeLessThanOrEqual(1);
    expect(Math.abs(x.mean - a / (a + b))).toBeLessThan(0.01);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(x.variance / variance - 1)).toBeLessThan(0.1);
  });

  it('chooses in proportion to the weights', () => {
    const rng = new Rng('weighted');
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < N; i++) counts[rng.weighted([['a', 1], ['b', 3], ['c', 0]] as const)]++;
    expect(counts.c).toBe(0);
    expect(counts.b / N).toBeCloseTo(0.75, 1);
  });

  it('shuffles into a permutation and makes version-4-shaped UUIDs', () => {
    const rng = new Rng('misc');
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
