/**
 * Every decision to admit a booking or a hold into a session goes through here, so that
 * overbooking policies change one pure function rather than the booking transaction.
 */
export interface SessionLoad {
  capacity: number;
  /** Active bookings in the session. */
  booked: number;
  /** Live holds in the session, not counting the one being turned into a booking. */
  held: number;
}

export interface OverbookingPolicy {
  /** Seats a site manager allows above capacity; 0 means never overbook. */
  extraSeats: number;
}

export const NO_OVERBOOKING: OverbookingPolicy = { extraSeats: 0 };

export function remainingSeats(load: SessionLoad, policy: OverbookingPolicy = NO_OVERBOOKING): number {
  return Math.max(0, load.capacity + policy.extraSeats - load.booked - load.held);
}

export type AdmissionDecision = { admit: true; overbooked: boolean } | { admit: false; reason: 'FULL' };

export function decideAdmission(load: SessionLoad, policy: OverbookingPolicy = NO_OVERBOOKING): AdmissionDecision {
  if (remainingSeats(load, policy) < 1) return { admit: false, reason: 'FULL' };
  return { admit: true, overbooked: load.booked + load.held + 1 > load.capacity };
}
