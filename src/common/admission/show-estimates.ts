import { EntityManager } from 'typeorm';

/** A booking being considered, not yet made. */
export interface Prospect {
  customerReference: string;
  siteId: string;
  appointmentTypeId: string;
  /** Epoch milliseconds. */
  start: number;
  now: number;
}

/**
 * How likely a customer is to come to a booking not yet made: asked by overbooking (to offer
 * the full slots a customer would be admitted into), answered by attendance's show model,
 * which overbooking does not import.
 */
export abstract class ShowEstimates {
  abstract estimate(manager: EntityManager, prospect: Prospect): Promise<number>;
}
