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
}
