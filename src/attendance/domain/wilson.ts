export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion (z = 1.96: 95%). Chosen over the textbook
 * p ± z·√(p(1−p)/n) because DNA counts are often small or zero at a site or for a
 * customer, where that interval collapses to a point or leaves [0, 1]; Wilson's stays
 * inside and keeps its coverage. With no trials nothing is known: [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): Interval {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs whole numbers 0 <= successes <= n, got ${successes} of ${n}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const halfWidth = (z / (1 + z2n)) * Math.sqrt(p * (1 - p) / n + z2n / (4 * n));
  // At 0 or n successes the bound is exactly p̂ in theory; rounding would put it a hair outside.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === n ? 1 : Math.min(1, centre + halfWidth),
  };
}
