export const MESSAGE_CHANNELS = ['sms', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export interface Contact {
  mobile: string | null;
  email: string | null;
  preferredChannel: 'sms' | 'email' | 'none';
  consentToContact: boolean;
  mobileInvalid: boolean;
  smsOptedOut: boolean;
}

/**
 * The channels to try for a message, in order: the customer's preferred one, then the
 * other as a fallback when the first fails for good. Nothing without consent, no SMS to
 * a number a provider has rejected or that has opted out.
 */
export function channelOrder(contact: Contact): MessageChannel[] {
  if (!contact.consentToContact || contact.preferredChannel === 'none') return [];
  const usable: Record<MessageChannel, boolean> = {
    sms: contact.mobile !== null && !contact.mobileInvalid && !contact.smsOptedOut,
    email: contact.email !== null,
  };
  const order: MessageChannel[] = contact.preferredChannel === 'email' ? ['email', 'sms'] : ['sms', 'email'];
  return order.filter((channel) => usable[channel]);
}
