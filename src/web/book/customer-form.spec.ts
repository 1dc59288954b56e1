import fc from 'fast-check';
import { checkCustomerForm, defaultChannel, readCustomerForm } from './customer-form';

const valid = { reference: 'JCP-4471', name: 'Sam Taylor', mobile: '07911 123456', email: '', channel: 'sms', consent: 'yes', referralSource: 'jcp', referrerName: 'J. Okafor', reason: '', mandatory: '' };

describe('the booking form', () => {
  it('builds the customer and referral from a good form', () => {
    const checked = checkCustomerForm(valid);
    expect(checked.errors).toEqual([]);
    expect(checked.customer).toEqual({ reference: 'JCP-4471', name: 'Sam Taylor', mobile: '07911 123456', preferredChannel: 'sms', consentToContact: true });
    expect(checked.referral).toEqual({ source: 'jcp', referrerName: 'J. Okafor', mandatory: false });
  });

  it('reports each missing field, linked to its input, in the order of the form', () => {
    const checked = checkCustomerForm({});
    expect(checked.errors.map((e) => e.href)).toEqual(['#reference', '#name', '#channel', '#referralSource']);
    expect(checked.customer).toBeUndefined();
  });

  it('asks for the contact the chosen channel needs, and for consent', () => {
    expect(checkCustomerForm({ ...valid, mobile: '' }).errors).toEqual([{ href: '#mobile', text: 'Enter a mobile number for text message reminders' }]);
    expect(checkCustomerForm({ ...valid, channel: 'email' }).errors).toEqual([{ href: '#email', text: 'Enter an email address for email reminders' }]);
    expect(checkCustomerForm({ ...valid, consent: '' }).errors.map((e) => e.href)).toEqual(['#consent']);
    expect(checkCustomerForm({ ...valid, channel: 'none', consent: '', mobile: '' }).errors).toEqual([]);
  });

  it('refuses a landline-looking number and a malformed email', () => {
    expect(checkCustomerForm({ ...valid, mobile: '020 7946 0000' }).errors.map((e) => e.href)).toEqual(['#mobile']);
    expect(checkCustomerForm({ ...valid, email: 'sam@' }).errors.map((e) => e.href)).toEqual(['#email']);
  });

  it('keeps only its own fields, as trimmed strings', () => {
    expect(readCustomerForm({ name: '  Sam ', _csrf: 'x', holdId: 'y', reference: ['a', 'b'] })).toEqual({ name: 'Sam' });
  });
});

describe('the reminder channel when left alone', () => {
  const contact = fc.record({ mobile: fc.constantFrom('', '07911 123456'), email: fc.constantFrom('', 'sam@example.com'), channel: fc.constantFrom('', 'sms', 'email', 'none') });

  it('is a text message with a mobile, email with only an email, and what was chosen when chosen', () => {
    fc.assert(
      fc.property(contact, (form) => {
        const expected = form.channel || (form.mobile ? 'sms' : form.email ? 'email' : '');
        expect(defaultChannel(form)).toEqual({ ...form, channel: expected });
      }),
    );
  });

  it('never picks a channel the contact typed cannot reach, so the form checks out with consent alone', () => {
    fc.assert(
      fc.property(contact, (typed) => {
        const form = defaultChannel({ ...valid, ...typed, channel: '' });
        const errors = checkCustomerForm(form).errors.map((e) => e.href);
        expect(errors).toEqual(typed.mobile || typed.email ? [] : ['#channel']);
      }),
    );
  });

  it('leaves a chosen channel with no matching contact for the check to refuse', () => {
    expect(checkCustomerForm(defaultChannel({ ...valid, mobile: '', email: 'sam@example.com', channel: 'sms' })).errors).toEqual([{ href: '#mobile', text: 'Enter a mobile number for text message reminders' }]);
  });
});
