/**
 * How good a show model is, on examples it was not fitted to. Undefined statistics are null,
 * not NaN, because these results are stored as JSON, where NaN does not survive.
 */
/** 1 = the customer came, 0 = did not attend. */
export type Labels = ArrayLike<number>;

export interface CalibrationRow {
  /** 1 = the tenth of bookings with the lowest predicted probability. */
  decile: number;
  n: number;
  /** Null when the decile is empty (fewer than 10 examples in all). */
  meanPredicted: number | null;
  observedRate: number | null;
}

function checkLengths(values: ArrayLike<number>, labels: Labels): void {
  if (values.length !== labels.length) throw new RangeError(`${values.length} predictions for ${labels.length} labels`);
}

/** Indices sorted by value, ascending: the shared first step of ranking and binning. */
function orderBy(values: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: values.length }, (_, i) => i);
  return order.sort((a, b) => values[a] - values[b]);
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative,
 * ties counting half. By the Mann-Whitney rank sum, O(n log n), so it runs on a year of
 * bookings. Null without both classes, where it means nothing.
 */
export function auc(scores: ArrayLike<number>, labels: Labels): number | null {
  checkLengths(scores, labels);
  const order = orderBy(scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    // Tied scores share the mean of the ranks start+1 .. end.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (labels[order[i]] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared error of the probabilities: rewards calibration as well as ranking. Null when empty. */
export function brierScore(probabilities: ArrayLike<number>, labels: Labels): number | null {
  checkLengths(probabilities, labels);
  if (probabilities.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) sum += (probabilities[i] - labels[i]) ** 2;
  return sum / probabilities.length;
}

/**
 * Predicted against observed, in ten bins by rank of the prediction (so each holds about a
 * tenth of the bookings, whatever the spread of the predictions): with DNAs rare, most
 * flagged bookings still attend, so whether "30%" means 30% matters more than ranking.
 */
export function calibrationByDecile(probabilities: ArrayLike<number>, labels: Labels): CalibrationRow[] {
  checkLengths(probabilities, labels);
  const order = orderBy(probabilities);
  const n = order.length;
  return Array.from({ length: 10 }, (_, bin) => {
    const from = Math.floor((bin * n) / 10);
    const to = Math.floor(((bin + 1) * n) / 10);
    let predicted = 0;
    let observed = 0;
    for (let i = from; i < to; i++) {
      predicted += probabilities[order[i]];
      observed += labels[order[i]];
    }
    const size = to - from;
    return {
      decile: bin + 1,
      n: size,
      meanPredicted: size === 0 ? null : predicted / size,
      observedRate: size === 0 ? null : observed / size,
    };
  });
}
