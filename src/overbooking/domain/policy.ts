/**
 * How a site (or one appointment type at a site) may admit more customers than its
 * advisers have seats, to cover the customers who do not come (issue 8):
 * - off: never; a full session is full.
 * - overlap: the next appointment may start a few minutes before the previous one ends,
 *   as some offices did by feel (DWP RR618 §3.8). It moves start times only: it never
 *   puts an extra customer into a full session.
 * - risk: one more customer into a full session while the chance that more turn up than
 *   can be seen stays at or below maxRisk, within caps and outside a window before the start.
 */
export const OVERBOOKING_MODES = ['off', 'overlap', 'risk'] as const;
export type OverbookingMode = (typeof OVERBOOKING_MODES)[number];

/** A policy as a site manager sends it: all but the mode may be left out for the default. */
export interface OverbookingPolicyInput {
  mode: OverbookingMode;
  overlapMinutes?: number;
  maxRisk?: number;
  maxExtraPerSession?: number;
  maxExtraPerDay?: number;
  noOverbookWithinHours?: number;
  pooled?: boolean;
}

/** A policy with its defaults filled in, as admission reads it. Settings the mode does not use are kept, unread, so switching modes back and forth loses nothing. */
export type OverbookingPolicy = Required<OverbookingPolicyInput>;

export const POLICY_DEFAULTS: Omit<OverbookingPolicy, 'mode'> = {
  // The overlap offices reported using (DOMAIN.md, "Did not attend").
  overlapMinutes: 15,
  // Inside the 2–30% range the simulation shows; a manager moves it after looking at the curve.
  maxRisk: 0.1,
  // One extra per session is the rule; a full double booking is for managers who choose it.
  maxExtraPerSession: 1,
  maxExtraPerDay: 5,
  // Bookings made inside a day are the most likely to be kept (lead time is a first-order
  // DNA predictor), so an extra admitted then is the most likely to collide; and the
  // day sheet is settled the day before, so the site can plan who helps with a queue.
  noOverbookWithinHours: 24,
  // Pooled, a customer who finds their adviser busy is seen by another in session for the
  // same type, and the risk is judged across them. Unpooled, the simulation showed those
  // predicted to miss waiting 1.2 to 1.8 times the average when they came (issue 8 allows
  // 1.25): a site must choose that knowingly. With one adviser in the hour it is the same.
  pooled: true,
};

export const POLICY_OFF: OverbookingPolicy = { mode: 'off', ...POLICY_DEFAULTS };

export const POLICY_BOUNDS = {
  // Below 5 minutes an overlap is lost in the five-minute slot grid; beyond an hour it is a second appointment.
  overlapMinutes: { min: 5, max: 60 },
  // A risk of 0 would never admit anyone (say off); beyond 0.5 a queue is more likely than not,
  // which is double booking, not managing a risk.
  maxRisk: { above: 0, max: 0.5 },
  // Larger caps are typing slips rather than policies: ten extras in one session is a queue
  // no adviser clears, and fifty a day more customers than a large site sees.
  maxExtraPerSession: { min: 0, max: 10 },
  maxExtraPerDay: { min: 0, max: 50 },
  // A longer window leaves almost nothing to overbook: that policy is off.
  noOverbookWithinHours: { min: 0, max: 168 },
} as const;

export interface PolicyProblem {
  field: keyof OverbookingPolicyInput;
  message: string;
}

type Rule = (value: unknown) => boolean;

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const within = (bounds: { min: number; max: number }) => (value: unknown) => isNumber(value) && value >= bounds.min && value <= bounds.max;
const wholeWithin = (bounds: { min: number; max: number }) => (value: unknown) => Number.isInteger(value) && within(bounds)(value);
const wholeMessage = ({ min, max }: { min: number; max: number }) => `must be a whole number from ${min} to ${max}`;

const { overlapMinutes, maxRisk, maxExtraPerSession, maxExtraPerDay, noOverbookWithinHours } = POLICY_BOUNDS;

const RULES: { [K in keyof OverbookingPolicyInput]-?: [Rule, string] } = {
  mode: [(value) => OVERBOOKING_MODES.includes(value as OverbookingMode), `must be one of ${OVERBOOKING_MODES.join(', ')}`],
  overlapMinutes: [wholeWithin(overlapMinutes), `must be a whole number of minutes from ${overlapMinutes.min} to ${overlapMinutes.max}`],
  maxRisk: [(value) => isNumber(value) && value > maxRisk.above && value <= maxRisk.max, `must be a probability above ${maxRisk.above} and at most ${maxRisk.max}`],
  maxExtraPerSession: [wholeWithin(maxExtraPerSession), wholeMessage(maxExtraPerSession)],
  maxExtraPerDay: [wholeWithin(maxExtraPerDay), wholeMessage(maxExtraPerDay)],
  noOverbookWithinHours: [within(noOverbookWithinHours), `must be a number of hours from ${noOverbookWithinHours.min} to ${noOverbookWithinHours.max}`],
  pooled: [(value) => typeof value === 'boolean', 'must be true or false'],
};

const absent = (value: unknown) => value === undefined || value === null;

/**
 * What is wrong with a policy sent to the API, field by field, for the DTO layer to
 * answer 400 VALIDATION_FAILED with; empty when it may be saved. `appointment` is the
 * type the policy is for (or, for a site-wide one, the shortest type at the site): an
 * overlap as long as the appointment would start the next one with the previous, which
 * is double booking under another name. That is checked against the overlap that would
 * apply in overlap mode, the default included, and against any overlap given.
 */
export function policyProblems(input: { [K in keyof OverbookingPolicyInput]?: unknown }, appointment?: { durationMinutes: number }): PolicyProblem[] {
  const problems = (Object.keys(RULES) as (keyof OverbookingPolicyInput)[])
    .filter((field) => (field === 'mode' || !absent(input[field])) && !RULES[field][0](input[field]))
    .map((field) => ({ field, message: RULES[field][1] }));
  const overlap = absent(input.overlapMinutes) && input.mode === 'overlap' ? POLICY_DEFAULTS.overlapMinutes : input.overlapMinutes;
  const overlapFine = !problems.some((p) => p.field === 'overlapMinutes');
  if (appointment && isNumber(overlap) && overlapFine && overlap >= appointment.durationMinutes) {
    problems.push({ field: 'overlapMinutes', message: `must be shorter than the appointment (${appointment.durationMinutes} minutes), or the next would start with it` });
  }
  return problems;
}

/** The policy with defaults for what was left out; for input policyProblems passed. */
export function resolvePolicy(input: OverbookingPolicyInput): OverbookingPolicy {
  return {
    mode: input.mode,
    overlapMinutes: input.overlapMinutes ?? POLICY_DEFAULTS.overlapMinutes,
    maxRisk: input.maxRisk ?? POLICY_DEFAULTS.maxRisk,
    maxExtraPerSession: input.maxExtraPerSession ?? POLICY_DEFAULTS.maxExtraPerSession,
    maxExtraPerDay: input.maxExtraPerDay ?? POLICY_DEFAULTS.maxExtraPerDay,
    noOverbookWithinHours: input.noOverbookWithinHours ?? POLICY_DEFAULTS.noOverbookWithinHours,
    pooled: input.pooled ?? POLICY_DEFAULTS.pooled,
  };
}
