/**
 * Whether a session has a seat for a booking or a hold. A full session may still take an
 * extra customer under a site's overbooking policy; that is overbooking's decision, made on
 * the booking's event (see ExtraSeats), never here.
 */
export interface SessionLoad {
  capacity: number;
  /** Active bookings in the session, extras included. */
  booked: number;
  /** Live holds in the session, not counting the one being turned into a booking. */
  held: number;
}

export function remainingSeats(load: SessionLoad): number {
  return Math.max(0, load.capacity - load.booked - load.held);
}

export type AdmissionDecision = { admit: true; overbooked: false } | { admit: false; reason: 'FULL' };

export function decideAdmission(load: SessionLoad): AdmissionDecision {
  return remainingSeats(load) < 1 ? { admit: false, reason: 'FULL' } : { admit: true, overbooked: false };
}
