import { EntityManager } from 'typeorm';

export interface FullSession {
  sessionId: string;
  siteId: string;
  appointmentTypeId: string;
  start: Date;
}

/**
 * Whether a booking may try for a seat in a session that is already full: asked by bookings
 * while it takes a seat, answered by the overbooking feature (which bookings does not
 * import). Yes means only that a policy could admit it; the decision waits until the
 * booking is written and scored, and is made by overbooking's handler of the booking's
 * event, which refuses by throwing, rolling the booking back.
 */
export abstract class ExtraSeats {
  abstract mayTry(manager: EntityManager, session: FullSession): Promise<boolean>;

  /**
   * Of these full sessions, those a customer would be admitted into now as an extra, with
   * the risk they would be admitted at: for slot search to offer after the free slots. The
   * booking itself decides again, with what it knows then.
   */
  abstract quote(manager: EntityManager, customer: { clientId: string; reference: string }, sessions: readonly FullSession[], now: number): Promise<Map<string, number>>;
}
