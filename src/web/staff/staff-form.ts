import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateStaffDto } from '../../staff/dto/staff.dto';
import type { FieldError } from '../book/customer-form';

/** The new-account form as typed. The password is never written into the flash or a kept form. */
export interface StaffForm {
  name: string;
  email: string;
  organisationId: string;
  role: string;
  managedSiteIds: string[];
  adviserId: string;
  password: string;
}

const text = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

export function readStaffForm(body: Record<string, unknown>): StaffForm {
  const sites = ([] as unknown[]).concat(body.managedSiteIds ?? []).filter((id): id is string => typeof id === 'string');
  return {
    name: text(body, 'name').trim(),
    email: text(body, 'email').trim(),
    organisationId: text(body, 'organisationId'),
    role: text(body, 'role'),
    managedSiteIds: sites,
    adviserId: text(body, 'adviserId'),
    password: text(body, 'password'),
  };
}

// In the order of the form, in plain words: the DTO's own rules decide what is wrong.
const MESSAGES: [keyof StaffForm, string][] = [
  ['name', 'Enter their name, in 200 characters or fewer'],
  ['email', 'Enter an email address in the correct format, like name@example.com'],
  ['organisationId', 'Select their organisation'],
  ['role', 'Select what they do'],
  ['managedSiteIds', 'Select the sites a site manager manages'],
  ['adviserId', 'Select an adviser from the list'],
  ['password', 'Enter a password of 12 characters or more, or leave it empty for single sign-on'],
];

/**
 * The account to create, checked by CreateStaffDto's own rules (as POST /v1/staff checks it).
 * Sites go only with a site manager and the adviser only with an adviser: without JavaScript
 * every part of the form shows, and what belongs to another role is not sent.
 */
export async function checkStaffForm(form: StaffForm): Promise<{ errors: FieldError[]; staff?: CreateStaffDto }> {
  const plain = {
    name: form.name,
    email: form.email,
    organisationId: form.organisationId,
    role: form.role,
    ...(form.role === 'site_manager' ? { managedSiteIds: form.managedSiteIds } : {}),
    ...(form.role === 'adviser' && form.adviserId ? { adviserId: form.adviserId } : {}),
    ...(form.password ? { password: form.password } : {}),
  };
  const staff = plainToInstance(CreateStaffDto, plain);
  const wrong = new Set((await validate(staff)).map((e) => e.property));
  if (form.role === 'site_manager' && !form.managedSiteIds.length) wrong.add('managedSiteIds');
  const errors = MESSAGES.filter(([field]) => wrong.has(field)).map(([field, message]) => ({ href: `#${field}`, text: message }));
  return errors.length ? { errors } : { errors, staff };
}

/** What the service refused, on the field it is about. */
export const STAFF_ERRORS: Record<string, FieldError> = {
  STAFF_EXISTS: { href: '#email', text: 'There is already an account with that email address' },
  UNKNOWN_ORGANISATION: { href: '#organisationId', text: 'Select their organisation' },
  INVALID_SITES: { href: '#managedSiteIds', text: 'Select the sites a site manager manages' },
  UNKNOWN_SITE: { href: '#managedSiteIds', text: 'Select sites from the list' },
  INVALID_ADVISER: { href: '#adviserId', text: 'Only an adviser is linked to an adviser' },
  UNKNOWN_ADVISER: { href: '#adviserId', text: "Select an adviser of the account's organisation" },
};
