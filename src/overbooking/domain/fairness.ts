/**
 * Overbooking pays for itself in adviser time; the customers who do come must not pay
 * for it in waiting, least of all the ones a model expects to miss. Samorani et al.
 * ("Overbooked and Overlooked") found that scheduling by predicted no-show made the
 * patients predicted to miss wait about 30% longer when they came, a burden that in
 * their clinic fell on Black patients. So predicted risk may decide whether a session
 * takes an extra, and nothing about who waits.
 */

export interface Arrival {
  /** When the customer reached the site (epoch ms). */
  arrivedAt: number;
  /**
   * A number drawn at random for the customer, that settles a tie in arrival. Not the
   * time of booking: extras are booked last and lean towards customers predicted to miss
   * (a low show probability makes room for itself), so seeing early bookers first on a tie
   * would bring predicted risk back in by another door.
   */
  lot: number;
}

/**
 * Who is seen first when more customers are at a site than advisers are free: first come,
 * first served, ties by lot. It reads nothing but those two fields, so a show probability
 * the caller's records carry cannot move anybody in the queue.
 */
export function queueOrder<T extends Arrival>(arrivals: readonly T[]): T[] {
  return [...arrivals].sort((a, b) => a.arrivedAt - b.arrivedAt || a.lot - b.lot);
}
