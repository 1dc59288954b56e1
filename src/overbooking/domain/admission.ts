import { MINUTE } from '../../common/time/local-time';
import { OverbookingPolicy } from './policy';
import { tailAbove } from './poisson-binomial';

/** A session as the day sheet sees it: its seats and who is expected in them. */
export interface SessionOutlook {
  capacity: number;
  /** One show probability per customer expected in it. */
  showProbabilities: readonly number[];
}

/** A session as admission sees it: its seats and how many customers hold one. */
export interface SessionLoad {
  capacity: number;
  /** Active bookings and live holds, not counting the candidate nor a hold being turned into its booking. */
  customers: number;
}

export interface OverbookingRequest {
  policy: OverbookingPolicy;
  session: SessionLoad;
  /** The show probability of the customer asking for a seat. */
  candidate: number;
  /**
   * What the rule assumes of every customer already booked: the site's show rate, never
   * their own predictions (see decideOverbooking for why).
   */
  showRate: number;
  /**
   * Customers beyond capacity at the site on the session's local day, over all its
   * sessions. Best counted as each session's excess over its capacity, as the session
   * cap is, so that a cancellation gives an extra's place back.
   */
  extrasToday: number;
  hoursUntilStart: number;
  /** Whether the candidate's previous booking was admitted as an extra (fairness.ts: not twice running). */
  lastBookingOverbooked: boolean;
  /**
   * For a pooled policy: the site's other sessions of this appointment type starting in the
   * same local hour, whose advisers can take a customer who finds theirs busy. Not the
   * session itself.
   */
  pool?: readonly SessionLoad[];
}

export type OverbookingRefusal = 'FULL' | 'CAP_SESSION' | 'CAP_DAY' | 'TOO_CLOSE' | 'REPEAT_EXTRA' | 'RISK';

export type OverbookingDecision =
  | { admit: true; overbooked: false }
  /** risk: of a collision with the new customer in, the figure the booking is recorded with. */
  | { admit: true; overbooked: true; risk: number }
  | { admit: false; reason: Exclude<OverbookingRefusal, 'RISK'> }
  /** risk: what admitting would have made it, for search and the simulation to show. */
  | { admit: false; reason: 'RISK'; risk: number };

/**
 * Risks are sums of products of probabilities, which floating point can leave a few
 * units in the last place above a target they meet exactly (0.1 × 0.2 is
 * 0.020000000000000004); a target is a manager's round number, so a risk this close
 * to it counts as at it.
 */
const RISK_TOLERANCE = 1e-12;

/**
 * The chance that more customers turn up than these sessions together have seats for,
 * each arrival seen by whichever of them is free: exact, from each customer's own show
 * probability.
 */
export function overflowRisk(sessions: readonly SessionOutlook[]): number {
  const capacity = sessions.reduce((sum, session) => sum + session.capacity, 0);
  return tailAbove(sessions.flatMap((session) => session.showProbabilities), capacity);
}

/**
 * The risk admission tests: that more come than the sessions seat once the candidate is
 * in, exact over the candidate's own probability and the site's show rate for everybody
 * already booked.
 */
export function admissionRisk(sessions: readonly SessionLoad[], candidate: number, showRate: number): number {
  const capacity = sessions.reduce((sum, session) => sum + session.capacity, 0);
  const booked = sessions.reduce((sum, session) => sum + session.customers, 0);
  return tailAbove([...new Array<number>(booked).fill(showRate), candidate], capacity);
}

/**
 * The hard caps on extras, whatever decides them: none beyond `maxExtraPerSession` in a
 * session (`excess`: its customers over its capacity, at or above 0) nor `maxExtraPerDay`
 * at the site that day.
 */
export function capRefusal(caps: Pick<OverbookingPolicy, 'maxExtraPerSession' | 'maxExtraPerDay'>, excess: number, extrasToday: number): 'CAP_SESSION' | 'CAP_DAY' | null {
  // The session's own excess rather than a count of bookings flagged as extras, which a
  // regular customer's cancellation would leave too high.
  if (excess >= caps.maxExtraPerSession) return 'CAP_SESSION';
  if (extrasToday >= caps.maxExtraPerDay) return 'CAP_DAY';
  return null;
}

/**
 * Admit a customer into a session, or say why not. A free seat always admits, in every
 * mode, as decideAdmission does. A full session admits an extra only in risk mode: within
 * the caps, not inside the window before the start, not to a customer whose last booking
 * was an extra, and while the risk of a collision with the extra in stays at or below
 * maxRisk: in the session alone, or with a pooled policy across the session and the pool.
 * Overlap mode never admits an extra into a full session; it moves start times instead
 * (overlapAllowed).
 *
 * The customers already booked count at the site's show rate, not at their own predicted
 * probabilities. Tested with their own, extras land beside the customers predicted to
 * miss, who then share every collision when they do come: in the simulation the most
 * at-risk tenth waited 1.5 to 2.3 times the average, unpooled or pooled alike, against
 * issue 8's limit of 1.25 (Samorani et al. found the same in clinics). A customer's
 * prediction decides their own admission as an extra and nobody else's.
 */
export function decideOverbooking(request: OverbookingRequest): OverbookingDecision {
  const { policy, session } = request;
  const excess = session.customers - session.capacity;
  if (excess < 0) return { admit: true, overbooked: false };
  if (policy.mode !== 'risk') return { admit: false, reason: 'FULL' };
  const capped = capRefusal(policy, excess, request.extrasToday);
  if (capped) return { admit: false, reason: capped };
  if (request.hoursUntilStart < policy.noOverbookWithinHours) return { admit: false, reason: 'TOO_CLOSE' };
  if (request.lastBookingOverbooked) return { admit: false, reason: 'REPEAT_EXTRA' };
  const risk = admissionRisk(policy.pooled ? [session, ...(request.pool ?? [])] : [session], request.candidate, request.showRate);
  return risk <= policy.maxRisk + RISK_TOLERANCE ? { admit: true, overbooked: true, risk } : { admit: false, reason: 'RISK', risk };
}

/**
 * May an appointment start at candidateStart after one that ends at previousEnd? In
 * overlap mode up to overlapMinutes before that end (DWP RR618 §3.8: offices overlapped
 * by about 15 minutes); otherwise not before it. Never at or before the previous one's
 * start, whatever the policy says, or the overlap would be a double booking:
 * durationMinutes is the appointments' length (the shorter, if they differ). Measured
 * between instants, so a clock change in between neither stretches nor shrinks it.
 */
export function overlapAllowed(policy: OverbookingPolicy, previousEnd: number, candidateStart: number, durationMinutes: number): boolean {
  const overlap = policy.mode === 'overlap' ? policy.overlapMinutes * MINUTE : 0;
  return candidateStart >= previousEnd - overlap && previousEnd - candidateStart < durationMinutes * MINUTE;
}
