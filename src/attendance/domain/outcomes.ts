/**
 * What happened at an appointment, as the adviser records it. `late` and `left_unseen`
 * customers came: they count as attending. A late cancellation is neither: it is reported
 * apart and kept out of DNA rates and of the show model.
 */
export const OUTCOMES = ['attended', 'late', 'dna', 'cancelled_late', 'left_unseen'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** 1 when the customer turned up, 0 for a DNA, null when the outcome says neither. */
export function showed(outcome: Outcome): 0 | 1 | null {
  if (outcome === 'dna') return 0;
  if (outcome === 'cancelled_late') return null;
  return 1;
}
