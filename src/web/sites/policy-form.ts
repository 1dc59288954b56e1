import { AppError } from '../../common/errors/app-error';
import { OverbookingPolicy, OverbookingPolicyInput, policyProblems, POLICY_BOUNDS } from '../../overbooking/domain/policy';
import type { FieldError } from '../book/customer-form';

/** The policy editor's fields, as typed; the risk target in per cent, as people say it. */
export const POLICY_FIELDS = ['mode', 'overlapMinutes', 'maxRisk', 'maxExtraPerSession', 'maxExtraPerDay', 'noOverbookWithinHours', 'pooled'] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];
export type PolicyForm = Partial<Record<PolicyField, string>>;

const LABELS: Record<PolicyField, string> = {
  mode: 'Overbooking',
  overlapMinutes: 'Overlap',
  maxRisk: 'Risk target',
  maxExtraPerSession: 'Extra customers per session',
  maxExtraPerDay: 'Extra customers per day',
  noOverbookWithinHours: 'Hours before the start',
  pooled: 'Pooling',
};
// The domain's messages, in the form's own terms where the form differs from the API.
const MESSAGES: Partial<Record<PolicyField, string>> = {
  mode: 'Select how the site may overbook',
  maxRisk: `Risk target must be more than 0% and at most ${POLICY_BOUNDS.maxRisk.max * 100}%`,
  pooled: 'Select whether the risk is judged across advisers',
};

const error = (field: PolicyField, domainMessage: string): FieldError => ({ href: `#${field}`, text: MESSAGES[field] ?? `${LABELS[field]} ${domainMessage}` });

/** Keeps only the form's own fields, as strings. */
export function readPolicyForm(source: Record<string, unknown>): PolicyForm {
  const form: PolicyForm = {};
  for (const field of POLICY_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') form[field] = value.trim();
  }
  return form;
}

/** A saved policy as the form shows it. */
export function policyFormOf(policy: Omit<OverbookingPolicy, 'mode'> & { mode: string }): PolicyForm {
  return {
    mode: policy.mode,
    overlapMinutes: String(policy.overlapMinutes),
    // Rounded: 0.07 * 100 is 7.000000000000001.
    maxRisk: String(Math.round(policy.maxRisk * 100_000) / 1000),
    maxExtraPerSession: String(policy.maxExtraPerSession),
    maxExtraPerDay: String(policy.maxExtraPerDay),
    noOverbookWithinHours: String(policy.noOverbookWithinHours),
    pooled: policy.pooled ? 'yes' : 'no',
  };
}

/**
 * The policy typed, checked by the domain's own rules (policyProblems, as the API checks
 * it); a field left empty takes its default. The services check again, with the length of
 * the appointment the overlap must stay under: see problemsOf for their answer.
 */
export function checkPolicyForm(form: PolicyForm): { errors: FieldError[]; input?: OverbookingPolicyInput } {
  const errors: FieldError[] = [];
  const input: Record<string, unknown> = { mode: form.mode || undefined };
  for (const field of ['overlapMinutes', 'maxRisk', 'maxExtraPerSession', 'maxExtraPerDay', 'noOverbookWithinHours'] as const) {
    const typed = form[field];
    if (!typed) continue;
    const value = Number(typed);
    if (!/^\d+(\.\d+)?$/.test(typed) || !Number.isFinite(value)) errors.push({ href: `#${field}`, text: `${LABELS[field]} must be a number, like ${field === 'maxRisk' ? '10' : '2'}` });
    else input[field] = field === 'maxRisk' ? Math.round(value * 1000) / 100_000 : value;
  }
  if (form.pooled) input.pooled = form.pooled === 'yes' ? true : form.pooled === 'no' ? false : form.pooled;
  const typedWrong = new Set(errors.map((e) => e.href));
  errors.push(...policyProblems(input).filter((p) => !typedWrong.has(`#${p.field}`)).map((p) => error(p.field, p.message)));
  errors.sort((a, b) => POLICY_FIELDS.indexOf(a.href.slice(1) as PolicyField) - POLICY_FIELDS.indexOf(b.href.slice(1) as PolicyField));
  return errors.length ? { errors } : { errors, input: input as unknown as OverbookingPolicyInput };
}

/**
 * The field errors in a service's 400 VALIDATION_FAILED ("policy.overlapMinutes" from the
 * simulation, "overlapMinutes" from saving), or null for any other error.
 */
export function problemsOf(thrown: unknown): FieldError[] | null {
  if (!(thrown instanceof AppError) || thrown.code !== 'VALIDATION_FAILED' || !Array.isArray(thrown.details)) return null;
  return (thrown.details as { field: string; problems: string[] }[]).flatMap(({ field, problems }) => {
    const name = field.replace(/^policy\./, '') as PolicyField;
    if (!POLICY_FIELDS.includes(name)) return [];
    return problems.map((p) => error(name, p.startsWith(`${name} `) ? p.slice(name.length + 1) : p));
  });
}
