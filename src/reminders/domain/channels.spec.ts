import fc from 'fast-check';
import { channelOrder, Contact, MESSAGE_CHANNELS } from './channels';

const RUNS = { numRuns: 300 };

const contact = (overrides: Partial<Contact> = {}): Contact => ({
  mobile: '+447700900123',
  email: 'priya.shah@example.com',
  preferredChannel: 'sms',
  consentToContact: true,
  mobileInvalid: false,
  smsOptedOut: false,
  ...overrides,
});

const anyContact: fc.Arbitrary<Contact> = fc.record({
  mobile: fc.option(fc.constantFrom('+447700900123', '+447911123456'), { nil: null }),
  email: fc.option(fc.constantFrom('priya.shah@example.com', 'sam@example.org'), { nil: null }),
  preferredChannel: fc.constantFrom('sms' as const, 'email' as const, 'none' as const),
  consentToContact: fc.boolean(),
  mobileInvalid: fc.boolean(),
  smsOptedOut: fc.boolean(),
});

// Written out from the rules the customer is promised, not from the code's own table.
const smsUsable = (c: Contact) => c.mobile !== null && !c.mobileInvalid && !c.smsOptedOut;
const emailUsable = (c: Contact) => c.email !== null;
const mayContact = (c: Contact) => c.consentToContact && c.preferredChannel !== 'none';

describe('channelOrder', () => {
  it.each<[string, Partial<Contact>, string[]]>([
    ['prefers SMS: SMS first, email as the fallback', {}, ['sms', 'email']],
    ['prefers email: email first, SMS as the fallback', { preferredChannel: 'email' }, ['email', 'sms']],
    ['prefers SMS but has opted out: email only', { smsOptedOut: true }, ['email']],
    ['prefers SMS but the provider rejected the number: email only', { mobileInvalid: true }, ['email']],
    ['prefers SMS and has no mobile: email only', { mobile: null }, ['email']],
    ['prefers email and has none: SMS only', { preferredChannel: 'email', email: null }, ['sms']],
    ['no usable channel at all: nothing', { mobileInvalid: true, email: null }, []],
    ['no consent: nothing, however reachable', { consentToContact: false }, []],
    ['asked not to be contacted: nothing, however reachable', { preferredChannel: 'none' }, []],
  ])('%s', (_name, overrides, expected) => {
    expect(channelOrder(contact(overrides))).toEqual(expected);
  });

  describe('properties', () => {
    it('never offers a channel without consent, or to a customer who chose none', () => {
      fc.assert(
        fc.property(anyContact, (c) => {
          if (!mayContact(c)) expect(channelOrder(c)).toEqual([]);
        }),
        RUNS,
      );
    });

    it('never offers SMS without a mobile, or to a number rejected by the provider or opted out', () => {
      fc.assert(
        fc.property(anyContact, (c) => {
          if (!smsUsable(c)) expect(channelOrder(c)).not.toContain('sms');
        }),
        RUNS,
      );
    });

    it('never offers email without an address', () => {
      fc.assert(
        fc.property(anyContact, (c) => {
          if (!emailUsable(c)) expect(channelOrder(c)).not.toContain('email');
        }),
        RUNS,
      );
    });

    it('puts the preferred channel first whenever it can be used', () => {
      fc.assert(
        fc.property(anyContact, (c) => {
          const usable = c.preferredChannel === 'sms' ? smsUsable(c) : emailUsable(c);
          if (mayContact(c) && usable) expect(channelOrder(c)[0]).toBe(c.preferredChannel);
        }),
        RUNS,
      );
    });

    it('offers every usable channel exactly once, so a failure can fall back to the other', () => {
      fc.assert(
        fc.property(anyContact, (c) => {
          const order = channelOrder(c);
          expect(new Set(order).size).toBe(order.length);
          for (const channel of order) expect(MESSAGE_CHANNELS).toContain(channel);
          const expected = mayContact(c) ? [...(smsUsable(c) ? ['sms'] : []), ...(emailUsable(c) ? ['email'] : [])] : [];
          expect([...order].sort()).toEqual(expected.sort());
        }),
        RUNS,
      );
    });
  });
});
