import { MINUTE } from '../../common/time/local-time';
import { OverbookingPolicy } from './policy';
import { tailAbove } from './poisson-binomial';

/** A session as overbooking sees it: its seats and who is expected in them. */
export interface SessionOutlook {
  capacity: number;
  /**
   * One show probability per active booking and live hold (not counting a hold being
   * turned into a booking). A hold has no score yet, so the caller gives it a default,
   * such as the site's show rate.
   */
  showProbabilities: readonly number[];
}

export interface OverbookingRequest {
  policy: OverbookingPolicy;
  session: SessionOutlook;
  /** The show probability of the customer asking for a seat. */
  candidate: number;
  /**
   * Customers beyond capacity at the site on the session's local day, over all its
   * sessions. Best counted as each session's excess over its capacity, as the session
   * cap is, so that a cancellation gives an extra's place back.
   */
  extrasToday: number;
  hoursUntilStart: number;
  /**
   * For a pooled policy: the site's other sessions in the same hour whose advisers can
   * see this appointment type, with an adviser's free time there as an empty session of
   * the type's capacity. Not the session itself.
   */
  pool?: readonly SessionOutlook[];
}

export type OverbookingRefusal = 'FULL' | 'CAP_SESSION' | 'CAP_DAY' | 'TOO_CLOSE' | 'RISK';

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
 * Admit a customer into a session, or say why not. A free seat always admits, in every
 * mode, as decideAdmission does. A full session admits an extra only in risk mode:
 * within the caps, not inside the window before the start, and while the risk of a
 * collision with the extra in stays at or below maxRisk: in the session alone, or with
 * a pooled policy across the session and the pool. Overlap mode never admits an extra
 * into a full session; it moves start times instead (overlapAllowed).
 */
export function decideOverbooking(request: OverbookingRequest): OverbookingDecision {
  const { policy, session } = request;
  const excess = session.showProbabilities.length - session.capacity;
  if (excess < 0) return { admit: true, overbooked: false };
  if (policy.mode !== 'risk') return { admit: false, reason: 'FULL' };
  // The session's own excess rather than a count of bookings flagged as extras, which a
  // regular customer's cancellation would leave too high.
  if (excess >= policy.maxExtraPerSession) return { admit: false, reason: 'CAP_SESSION' };
  if (request.extrasToday >= policy.maxExtraPerDay) return { admit: false, reason: 'CAP_DAY' };
  if (request.hoursUntilStart < policy.noOverbookWithinHours) return { admit: false, reason: 'TOO_CLOSE' };
  const admitted = { capacity: session.capacity, showProbabilities: [...session.showProbabilities, request.candidate] };
  const risk = overflowRisk(policy.pooled ? [admitted, ...(request.pool ?? [])] : [admitted]);
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
