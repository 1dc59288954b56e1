/**
 * The number of customers who turn up to a session when each has their own show
 * probability is a sum of independent Bernoulli trials with different p: a
 * Poisson-binomial variable. Computed exactly rather than by a normal approximation,
 * because sessions hold a handful of customers and the tails we decide on (a few per
 * cent) are where that approximation is worst.
 */

function checkProbabilities(probabilities: readonly number[]): void {
  for (const p of probabilities) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`A probability must lie in [0, 1], got ${p}`);
  }
}

/**
 * P(X = j) for j = 0..n. Each trial mixes the distribution so far with itself shifted by
 * one, with weights 1 − p and p: every step adds and multiplies non-negative numbers,
 * so nothing cancels and no term is lost however small (unlike recursions through the
 * characteristic function or 1 − CDF). O(n²) time, O(n) space.
 */
export function poissonBinomial(probabilities: readonly number[]): Float64Array {
  checkProbabilities(probabilities);
  const distribution = new Float64Array(probabilities.length + 1);
  distribution[0] = 1;
  probabilities.forEach((p, trials) => {
    // Downwards, so that each j still reads the distribution before this trial.
    for (let j = trials + 1; j > 0; j--) distribution[j] = distribution[j] * (1 - p) + distribution[j - 1] * p;
    distribution[0] *= 1 - p;
  });
  return distribution;
}

/**
 * P(X > k): the chance that more than k succeed. Summed from the far end, smallest terms
 * first, rather than as 1 − P(X ≤ k), which would round a risk of 1e-20 to 0.
 */
export function tailAbove(probabilities: readonly number[], k: number): number {
  if (!Number.isInteger(k)) throw new RangeError(`tailAbove needs a whole number of successes, got ${k}`);
  // Certain, where summing the whole distribution could come to 1 − 1e-16.
  if (k < 0) return 1;
  const distribution = poissonBinomial(probabilities);
  let tail = 0;
  for (let j = distribution.length - 1; j > k; j--) tail += distribution[j];
  return Math.min(1, tail);
}
