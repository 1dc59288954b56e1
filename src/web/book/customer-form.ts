import type { CustomerDto, ReferralDto } from '../../bookings/dto/bookings.dto';

/** A GOV.UK error summary entry, linked to the field it is about. */
export interface FieldError {
  href: string;
  text: string;
}

/** The customer and referral fields of the booking form, as typed (every value a string). */
export const CUSTOMER_FIELDS = ['reference', 'name', 'mobile', 'email', 'channel', 'consent', 'referralSource', 'referrerName', 'reason', 'mandatory'] as const;
export type CustomerForm = Partial<Record<(typeof CUSTOMER_FIELDS)[number], string>>;

const CHANNELS = ['sms', 'email', 'none'] as const;
const SOURCES = ['jcp', 'partner', 'self'] as const;
const UK_MOBILE = /^(\+44\s?7\d{3}|\(?07\d{3}\)?)\s?\d{3}\s?\d{3}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The reminder channel when the work coach left it alone: what the contact typed allows, a
 * text message first (read sooner than email). A channel chosen stays, even one with no
 * contact to match: the check below says so rather than choosing something else silently.
 */
export function defaultChannel(form: CustomerForm): CustomerForm {
  if (form.channel) return form;
  if (form.mobile) return { ...form, channel: 'sms' };
  if (form.email) return { ...form, channel: 'email' };
  return form;
}

/** Keeps only the form's own fields, as strings; anything else a browser (or a forger) sends is dropped. */
export function readCustomerForm(body: Record<string, unknown>): CustomerForm {
  const form: CustomerForm = {};
  for (const field of CUSTOMER_FIELDS) {
    const value = body[field];
    if (typeof value === 'string') form[field] = value.trim();
  }
  return form;
}

/**
 * Checks the form as a person would be told, in the order of the fields, and builds the
 * booking's customer and referral. The bookings service checks it all again (the mobile
 * number properly): this is for messages in plain words next to each field.
 */
export function checkCustomerForm(form: CustomerForm): { errors: FieldError[]; customer?: CustomerDto; referral?: ReferralDto } {
  const errors: FieldError[] = [];
  const error = (field: string, text: string) => errors.push({ href: `#${field}`, text });
  const length = (value: string | undefined, max: number) => (value ?? '').length <= max;
  if (!form.reference) error('reference', "Enter the customer's reference");
  else if (!length(form.reference, 100)) error('reference', 'Reference must be 100 characters or fewer');
  if (!form.name) error('name', "Enter the customer's name");
  else if (!length(form.name, 200)) error('name', 'Name must be 200 characters or fewer');
  if (form.mobile && !UK_MOBILE.test(form.mobile)) error('mobile', 'Enter a UK mobile number, like 07700 900 982');
  if (form.email && (!EMAIL.test(form.email) || !length(form.email, 254))) error('email', 'Enter an email address in the correct format, like name@example.com');
  const channel = CHANNELS.find((c) => c === form.channel);
  if (!channel) error('channel', 'Select how the customer wants their reminders');
  else if (channel === 'sms' && !form.mobile) error('mobile', 'Enter a mobile number for text message reminders');
  else if (channel === 'email' && !form.email) error('email', 'Enter an email address for email reminders');
  const consent = form.consent === 'yes';
  if (channel && channel !== 'none' && !consent) error('consent', 'Confirm the customer agrees to reminders, or choose no reminders');
  const source = SOURCES.find((s) => s === form.referralSource);
  if (!source) error('referralSource', 'Select who referred the customer');
  if (!length(form.referrerName, 200)) error('referrerName', 'Referrer must be 200 characters or fewer');
  if (!length(form.reason, 2000)) error('reason', 'Reason must be 2000 characters or fewer');
  if (errors.length || !channel || !source) return { errors };
  return {
    errors,
    customer: {
      reference: form.reference!,
      name: form.name!,
      ...(form.mobile ? { mobile: form.mobile } : {}),
      ...(form.email ? { email: form.email } : {}),
      preferredChannel: channel,
      consentToContact: consent,
    },
    referral: {
      source,
      ...(form.referrerName ? { referrerName: form.referrerName } : {}),
      ...(form.reason ? { reason: form.reason } : {}),
      mandatory: form.mandatory === 'yes',
    },
  };
}
