import { decideOverbooking } from './admission';
import { OverbookingPolicy } from './policy';
import { SimulationPolicy } from './simulation';

/** A policy's name on a curve: the mode and, for risk, the target and whether pooled. */
export function policyLabel(policy: OverbookingPolicy): string {
  if (policy.mode === 'overlap') return `overlap ${policy.overlapMinutes} min`;
  if (policy.mode === 'risk') return `risk ${+(policy.maxRisk * 100).toFixed(2)}%${policy.pooled ? ' pooled' : ''}`;
  return 'off';
}

/**
 * A saved policy as the simulation replays it: the very rule bookings are admitted by, told
 * what the simulation knows of each full session. Overlap mode admits no extra into a full
 * session; its gain is in the session grid, which the caller lays out with overlapping starts.
 */
export function simulationPolicy(policy: OverbookingPolicy, showRate: number, label = policyLabel(policy)): SimulationPolicy {
  return {
    label,
    pooled: policy.pooled,
    admission: (context) => {
      const decision = decideOverbooking({
        policy,
        session: { capacity: context.session.capacity, customers: context.showProbabilities.length },
        candidate: context.candidate,
        showRate,
        extrasToday: context.extrasToday,
        hoursUntilStart: context.hoursUntilStart,
        lastBookingOverbooked: context.extraLastTime,
        pool: context.pool.map((session) => ({ capacity: session.capacity, customers: session.showProbabilities.length })),
      });
      return { admit: decision.admit, risk: 'risk' in decision ? decision.risk : undefined };
    },
  };
}
