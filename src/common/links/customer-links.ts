import { EntityManager } from 'typeorm';

/** A reminder's text with the customer's personal link added: as it is sent, and as the message log keeps it (the token masked). */
export interface LinkedText {
  sent: string;
  stored: string;
}

/** One message to carry a link: its booking and customer as the claim read them, and its text so far. */
export interface LinkRequest {
  bookingId: string;
  customerId: string;
  /** The appointment's start, and its site's zone: a link lasts until the end of that local day. */
  start: number;
  zone: string;
  channel: 'sms' | 'email';
  body: string;
}

/**
 * The free route every reminder carries: asked by reminders as a batch of messages is
 * claimed, answered by the links feature (which reminders does not import). A new link
 * each time, since only a hash of each token is kept; they commit or roll back with the claim.
 */
export abstract class CustomerLinks {
  /** The texts with their links, in the order asked. */
  abstract carry(manager: EntityManager, requests: LinkRequest[], now: number): Promise<LinkedText[]>;
}
