import { capRefusal, SessionLoad } from './admission';
import { OverbookingPolicy } from './policy';

/**
 * The show probability at or below which a site may offer the waitlist a seat beside a
 * booking. At 0.6 the customer misses two appointments in five, about twice the DNA rate
 * of referred appointments (DEFAULT_SHOW_RATE 0.75): a seat empty often enough to be worth
 * offering, yet the booking's customer comes more often than not, which is why the booking
 * always stands and the claimant is an extra bounded by the site's caps. Not the day page's
 * "likely to miss" (below 0.5, worth a call), which asks for a different action.
 */
export const RELEASE_CEILING = 0.6;

export type ReleaseRefusal = 'BOOKING_CANCELLED' | 'BOOKING_STARTED' | 'ALREADY_RELEASED' | 'LIKELY_TO_COME' | 'CAP_SESSION' | 'CAP_DAY';

/** A booking as releasing sees it. */
export interface ReleaseCandidate {
  cancelled: boolean;
  start: number;
  /** Null when the booking is unscored: counted as certain to come, as admission counts it. */
  showProbability: number | null;
  released: boolean;
}

/** Whether a booking may be released now, by its own state alone (the page's button follows this). */
export function bookingRefusal(booking: ReleaseCandidate, now: number): Exclude<ReleaseRefusal, 'CAP_SESSION' | 'CAP_DAY'> | null {
  if (booking.cancelled) return 'BOOKING_CANCELLED';
  if (booking.start <= now) return 'BOOKING_STARTED';
  if (booking.released) return 'ALREADY_RELEASED';
  if ((booking.showProbability ?? 1) > RELEASE_CEILING) return 'LIKELY_TO_COME';
  return null;
}

/**
 * Whether a released seat can be given to the one who claims it: a free seat always; a
 * full session only within the hard caps of the policy that applies (or the defaults),
 * whatever its mode. Not the risk rule, its window before the start nor its turn-about for
 * extras: a person chose to offer this seat, knowing the customer already in it.
 */
export function releasedSeatRefusal(caps: Pick<OverbookingPolicy, 'maxExtraPerSession' | 'maxExtraPerDay'>, session: SessionLoad, extrasToday: number): 'CAP_SESSION' | 'CAP_DAY' | null {
  const excess = session.customers - session.capacity;
  return excess < 0 ? null : capRefusal(caps, excess, extrasToday);
}
