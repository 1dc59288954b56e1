import { DeliveryStatus } from '../domain/delivery-status';

/**
 * What a provider said. 'retry': it certainly did not take the message (refused, down,
 * throttled), so trying again cannot duplicate it. 'unknown': the call broke off after the
 * request went out, so the message may have gone and is never sent again.
 */
export type SendOutcome =
  | { ok: true; providerId: string; status: DeliveryStatus }
  | { ok: false; kind: 'permanent' | 'retry' | 'unknown'; code: string | null; message: string };

export interface OutgoingSms {
  messageId: string;
  to: string;
  body: string;
}

export interface OutgoingEmail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  calendar: string | null;
}

export abstract class SmsChannel {
  /** For the start-up log: where SMS go. */
  abstract readonly description: string;
  abstract send(sms: OutgoingSms): Promise<SendOutcome>;
}

export abstract class EmailChannel {
  abstract readonly description: string;
  abstract send(email: OutgoingEmail): Promise<SendOutcome>;
}
