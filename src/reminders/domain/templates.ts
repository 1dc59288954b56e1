import { createHash } from 'node:crypto';
import { MessageStep } from './reminder-plan';
import { MessageChannel } from './channels';
import { MAX_REMINDER_SEGMENTS, SmsSegmentCount, smsSegments, toGsm } from './sms-segments';

/**
 * What a message can say, each cut to a fixed length so that a template's worst case is
 * known when it is saved: a template that passes the check fits in every message.
 */
export const PLACEHOLDER_LIMITS = {
  name: 15,
  adviser: 25,
  appointment: 30,
  description: 300,
  duration: 11,
  bring: 160,
  site: 30,
  address: 45,
  date: 22,
  time: 7,
} as const;
export type Placeholder = keyof typeof PLACEHOLDER_LIMITS;
export type MessageValues = Record<Placeholder, string>;

export interface Template {
  /** Email only. */
  subject: string | null;
  body: string;
}

/** Wording variants under trial; each booking gets one for good, so DNA rates can be compared per variant. */
export const VARIANTS = ['standard', 'missed_cost'] as const;
export type Variant = (typeof VARIANTS)[number];

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;
// Own keys only: `in` would also take names every object inherits ({{constructor}}, {{toString}}).
const isPlaceholder = (key: string): key is Placeholder => Object.hasOwn(PLACEHOLDER_LIMITS, key);

/** Deterministic and even: the same booking always gets the same variant. */
export function assignVariant(bookingId: string, variants: readonly string[] = VARIANTS): string {
  const bucket = createHash('sha256').update(bookingId).digest().readUInt32BE(0);
  return variants[bucket % variants.length];
}

/** Cuts a value to `limit` units as `size` counts them, marking the cut with "...". */
function cut(value: string, limit: number, size: (c: string) => number): string {
  const chars = Array.from(value.replace(/\s+/g, ' ').trim());
  const total = chars.reduce((sum, c) => sum + size(c), 0);
  if (total <= limit) return chars.join('');
  let kept = '';
  let used = 3;
  for (const c of chars) {
    if (used + size(c) > limit) break;
    kept += c;
    used += size(c);
  }
  return `${kept.trimEnd()}...`;
}

function fill(text: string, values: MessageValues, prepare: (value: string) => string, size: (c: string) => number): string {
  return text.replace(PLACEHOLDER, (whole, key: string) =>
    isPlaceholder(key) ? cut(prepare(values[key]), PLACEHOLDER_LIMITS[key], size) : whole,
  );
}

/** Email text: each value cut to its limit in characters. */
export const render = (text: string, values: MessageValues): string => fill(text, values, (v) => v, () => 1);

/**
 * An SMS as it goes out: in GSM-7, each value cut to its limit in septets, so the worst
 * case checked when the template was saved is the longest it can ever be.
 */
export const renderSms = (template: Template, values: MessageValues): string =>
  toGsm(fill(template.body, values, toGsm, (c) => smsSegments(c).units));

const WORST_CASE = Object.fromEntries(Object.keys(PLACEHOLDER_LIMITS).map((key) => [key, 'x'.repeat(500)])) as MessageValues;

/** The SMS at its longest: every placeholder filled to its limit. */
export const worstCaseSms = (template: Template): SmsSegmentCount => smsSegments(renderSms(template, WORST_CASE));

/**
 * The most septets an SMS may take at its longest: two full parts less one. Values shorter
 * than their limits shift the text, and an escape character (€, [, ~ ...) that then falls
 * across the break between parts goes whole into the second, costing a septet there.
 */
const MAX_WORST_CASE_UNITS = MAX_REMINDER_SEGMENTS * 153 - (MAX_REMINDER_SEGMENTS - 1);

export interface TemplateProblem {
  code: 'UNKNOWN_PLACEHOLDER' | 'TOO_LONG' | 'SUBJECT_REQUIRED' | 'SUBJECT_NOT_ALLOWED';
  message: string;
}

export function templateProblems(channel: MessageChannel, template: Template): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const unknown = [...`${template.subject ?? ''} ${template.body}`.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((key) => !isPlaceholder(key));
  if (unknown.length) {
    problems.push({ code: 'UNKNOWN_PLACEHOLDER', message: `Unknown placeholder ${[...new Set(unknown)].map((k) => `{{${k}}}`).join(', ')}; known: ${Object.keys(PLACEHOLDER_LIMITS).join(', ')}` });
  }
  if (channel === 'email' && !template.subject) problems.push({ code: 'SUBJECT_REQUIRED', message: 'An email template needs a subject' });
  if (channel === 'sms') {
    if (template.subject) problems.push({ code: 'SUBJECT_NOT_ALLOWED', message: 'An SMS has no subject' });
    const worst = worstCaseSms(template);
    if (worst.segments > MAX_REMINDER_SEGMENTS || worst.units > MAX_WORST_CASE_UNITS) {
      problems.push({
        code: 'TOO_LONG',
        message: `With the longest values its placeholders can take, this SMS needs ${worst.segments} segments (${worst.units} characters); reminders must fit in ${MAX_REMINDER_SEGMENTS} (${MAX_WORST_CASE_UNITS} characters)`,
      });
    }
  }
  return problems;
}

// Replies are read by src/replies. A reply costs the customer a text and many have no
// credit, so the work coach stays named as the free way to say so.
const CANCEL_SMS = "Reply YES to confirm. Can't come? Reply NO or MOVE, or tell your work coach.";
// The cost wording fills the confirmation's two segments already: replies are offered from the first reminder on.
const COST_SMS: Record<Exclude<MessageStep, 'cancellation'>, string> = {
  confirmation: "Missing it wastes {{duration}} of adviser time. Can't come? Tell your work coach.",
  days_before: "Missing it wastes {{duration}} of adviser time. Can't come? Reply NO or MOVE, or tell your work coach.",
  same_day: "Missing it wastes {{duration}} of adviser time. Can't come? Reply NO or MOVE, or tell your work coach.",
};
const SMS: Record<Exclude<MessageStep, 'cancellation'>, string> = {
  confirmation: "Hi {{name}}, you're booked with careers adviser {{adviser}}: {{appointment}}, {{date}} {{time}}, {{site}}, {{address}}.",
  days_before: 'Reminder: {{appointment}} with careers adviser {{adviser}}, {{date}} {{time}}, {{site}}, {{address}}.',
  same_day: 'Today {{time}}: {{appointment}} with careers adviser {{adviser}}, {{site}}, {{address}}.',
};

const CANCELLED_SMS =
  'Hi {{name}}, your {{appointment}} with careers adviser {{adviser}} on {{date}} at {{time}} is cancelled. Ask your work coach for another appointment.';

const EMAIL_SUBJECT: Record<MessageStep, string> = {
  confirmation: 'Booked: {{appointment}} on {{date}} at {{time}}',
  days_before: 'Reminder: {{appointment}} on {{date}} at {{time}}',
  same_day: 'Today at {{time}}: {{appointment}}',
  cancellation: 'Cancelled: {{appointment}} on {{date}} at {{time}}',
};
const EMAIL_OPENING: Record<Exclude<MessageStep, 'cancellation'>, string> = {
  confirmation: 'Hello {{name}},\n\nYou are booked to see a careers adviser from the National Careers Service.',
  days_before: 'Hello {{name}},\n\nThis is a reminder of your appointment with a careers adviser.',
  same_day: 'Hello {{name}},\n\nYour appointment with a careers adviser is today.',
};
const EMAIL_DETAILS =
  'Who: {{adviser}}, careers adviser\nWhen: {{date}} at {{time}} ({{duration}})\nWhere: {{site}}, {{address}}\n\n' +
  'What it is: {{appointment}}. {{description}}\n\nWhat to bring: {{bring}}';
const CANCEL_EMAIL = "If you cannot come, or need another time, tell your work coach or whoever referred you, so that someone else can have the appointment and you can be offered another.";
const COST_EMAIL =
  'A missed appointment wastes {{duration}} of an adviser\'s time that someone else could have used. If you cannot come, or need another time, tell your work coach or whoever referred you, so the time can go to someone else.';

/** The built-in wording, used wherever no template is saved. */
const CANCELLED_EMAIL =
  'Hello {{name}},\n\nYour appointment is cancelled:\n\n{{appointment}} with {{adviser}}, careers adviser\n{{date}} at {{time}}\n{{site}}, {{address}}\n\n' +
  'Please do not go to it. If you would still like to see a careers adviser, ask your work coach or whoever referred you for another appointment.';

export function builtInTemplate(step: MessageStep, channel: MessageChannel, variant: string): Template {
  if (step === 'cancellation') return channel === 'sms' ? { subject: null, body: CANCELLED_SMS } : { subject: EMAIL_SUBJECT[step], body: CANCELLED_EMAIL };
  const cost = variant === 'missed_cost';
  if (channel === 'sms') return { subject: null, body: `${SMS[step]} ${cost ? COST_SMS[step] : CANCEL_SMS}` };
  return { subject: EMAIL_SUBJECT[step], body: `${EMAIL_OPENING[step]}\n\n${EMAIL_DETAILS}\n\n${cost ? COST_EMAIL : CANCEL_EMAIL}` };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// An address in escaped text: http or https only, and not the punctuation that ends a sentence after it.
const WEB_ADDRESS = /https?:\/\/[^\s<>"']+?(?=[.,;:!?)]*(?:\s|$))/g;

/** A line of the email as HTML: escaped, its web addresses (the customer's personal link) made links. */
const lineToHtml = (line: string): string => escapeHtml(line).replace(WEB_ADDRESS, (address) => `<a href="${address}">${address}</a>`);

/** The HTML part of an email: the same words, a paragraph per blank-line block. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((block) => `<p>${block.split('\n').map(lineToHtml).join('<br>')}</p>`);
  return `<!doctype html><html lang="en"><body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5">${paragraphs.join('')}</body></html>`;
}
