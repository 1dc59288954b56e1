import { EntityManager } from 'typeorm';

/** A reminder's text with the customer's personal link added: as it is sent, and as the message log keeps it (the token masked). */
export interface LinkedText {
  sent: string;
  stored: string;
}

/**
 * The free route every reminder carries: asked by reminders as each message is claimed,
 * answered by the links feature (which reminders does not import). A new link each time,
 * since only a hash of each token is kept; it commits or rolls back with the claim.
 */
export abstract class CustomerLinks {
  abstract carry(manager: EntityManager, bookingId: string, channel: 'sms' | 'email', body: string, now: number): Promise<LinkedText>;
}
