import fc from 'fast-check';
import { OVERBOOKING_MODES, OverbookingPolicyInput, POLICY_DEFAULTS, POLICY_OFF, policyProblems, resolvePolicy } from './policy';

const fieldsOf = (input: Parameters<typeof policyProblems>[0], appointment?: { durationMinutes: number }) => policyProblems(input, appointment).map((p) => p.field);

const validInput = fc.record(
  {
    mode: fc.constantFrom(...OVERBOOKING_MODES),
    overlapMinutes: fc.integer({ min: 5, max: 60 }),
    maxRisk: fc.double({ min: Number.MIN_VALUE, max: 0.5, noNaN: true }),
    maxExtraPerSession: fc.integer({ min: 0, max: 10 }),
    maxExtraPerDay: fc.integer({ min: 0, max: 50 }),
    noOverbookWithinHours: fc.double({ min: 0, max: 168, noNaN: true }),
    pooled: fc.boolean(),
  },
  { requiredKeys: ['mode'] },
);

describe('policyProblems', () => {
  it('accepts a bare mode and a policy with every field at its bounds', () => {
    for (const mode of OVERBOOKING_MODES) expect(policyProblems({ mode })).toEqual([]);
    const low = { mode: 'risk', overlapMinutes: 5, maxRisk: 1e-9, maxExtraPerSession: 0, maxExtraPerDay: 0, noOverbookWithinHours: 0, pooled: false };
    const high = { mode: 'overlap', overlapMinutes: 60, maxRisk: 0.5, maxExtraPerSession: 10, maxExtraPerDay: 50, noOverbookWithinHours: 168, pooled: true };
    expect(policyProblems(low)).toEqual([]);
    expect(policyProblems(high)).toEqual([]);
  });

  it('takes null for left out, as the DTOs do', () => {
    expect(policyProblems({ mode: 'risk', maxRisk: null, overlapMinutes: null, pooled: null })).toEqual([]);
  });

  it('accepts its own defaults, for every mode', () => {
    for (const mode of OVERBOOKING_MODES) expect(policyProblems({ ...POLICY_DEFAULTS, mode })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown mode', { mode: 'aggressive' }],
    ['a mode in the wrong case', { mode: 'RISK' }],
    ['no mode', {}],
    ['a mode that is not a string', { mode: 1 }],
  ])('refuses %s', (_, input) => {
    expect(policyProblems(input)).toEqual([{ field: 'mode', message: 'must be one of off, overlap, risk' }]);
  });

  it.each<[keyof OverbookingPolicyInput, unknown[], unknown[]]>([
    ['maxRisk', [0, -0.1, 0.5000001, 0.51, 1, NaN, Infinity, '0.1', true], [Number.MIN_VALUE, 0.02, 0.1, 0.5]],
    ['maxExtraPerSession', [-1, 11, 1000, 1.5, Infinity, '2'], [0, 1, 10]],
    ['maxExtraPerDay', [-1, 51, 1e6, 2.5, NaN], [0, 5, 50]],
    ['noOverbookWithinHours', [-1, -0.01, 168.5, 1e9, Infinity, '24'], [0, 0.5, 24, 168]],
    ['overlapMinutes', [0, 4, 61, -15, 7.5, 1440, '15'], [5, 15, 60]],
    ['pooled', ['yes', 1, 0], [true, false]],
  ])('%s: refuses %j, accepts %j', (field, bad, good) => {
    for (const value of bad) expect(fieldsOf({ mode: 'risk', [field]: value })).toEqual([field]);
    for (const value of good) expect(fieldsOf({ mode: 'risk', [field]: value })).toEqual([]);
  });

  it('names each bad field once, all at once, with a message that says what is allowed', () => {
    const problems = policyProblems({ mode: 'sometimes', maxRisk: 0.9, maxExtraPerSession: -1, maxExtraPerDay: 500, noOverbookWithinHours: 1000, overlapMinutes: 90 });
    expect(problems.map((p) => p.field).sort()).toEqual(['maxExtraPerDay', 'maxExtraPerSession', 'maxRisk', 'mode', 'noOverbookWithinHours', 'overlapMinutes']);
    expect(problems.find((p) => p.field === 'maxRisk')!.message).toBe('must be a probability above 0 and at most 0.5');
    expect(problems.find((p) => p.field === 'maxExtraPerDay')!.message).toBe('must be a whole number from 0 to 50');
  });

  describe('an overlap against the appointment it overlaps', () => {
    it('must be shorter than the appointment', () => {
      expect(policyProblems({ mode: 'overlap', overlapMinutes: 30 }, { durationMinutes: 30 })).toEqual([
        { field: 'overlapMinutes', message: 'must be shorter than the appointment (30 minutes), or the next would start with it' },
      ]);
      expect(fieldsOf({ mode: 'overlap', overlapMinutes: 45 }, { durationMinutes: 30 })).toEqual(['overlapMinutes']);
      expect(fieldsOf({ mode: 'overlap', overlapMinutes: 25 }, { durationMinutes: 30 })).toEqual([]);
    });

    it('counts the default overlap in overlap mode', () => {
      expect(fieldsOf({ mode: 'overlap' }, { durationMinutes: POLICY_DEFAULTS.overlapMinutes })).toEqual(['overlapMinutes']);
      expect(fieldsOf({ mode: 'overlap' }, { durationMinutes: POLICY_DEFAULTS.overlapMinutes + 5 })).toEqual([]);
      // Another mode does not use the default, so a short appointment is no problem for it.
      expect(fieldsOf({ mode: 'risk' }, { durationMinutes: 10 })).toEqual([]);
    });

    it('checks an overlap given in another mode too, since switching to overlap would use it', () => {
      expect(fieldsOf({ mode: 'off', overlapMinutes: 20 }, { durationMinutes: 20 })).toEqual(['overlapMinutes']);
    });

    it('reports an overlap out of bounds once, not also as too long', () => {
      expect(fieldsOf({ mode: 'overlap', overlapMinutes: 90 }, { durationMinutes: 60 })).toEqual(['overlapMinutes']);
    });

    it('is not checked without an appointment', () => {
      expect(policyProblems({ mode: 'overlap', overlapMinutes: 60 })).toEqual([]);
    });
  });

  it('accepts anything inside the bounds, and the policy it resolves to as well', () => {
    fc.assert(
      fc.property(validInput, (input) => {
        expect(policyProblems(input)).toEqual([]);
        expect(policyProblems(resolvePolicy(input))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('resolvePolicy', () => {
  it('fills in every default', () => {
    expect(resolvePolicy({ mode: 'off' })).toEqual(POLICY_OFF);
    expect(resolvePolicy({ mode: 'risk' })).toEqual({ ...POLICY_DEFAULTS, mode: 'risk' });
  });

  it('keeps what was given, zeros and false included, and nothing that is not a setting', () => {
    const input = { mode: 'risk' as const, maxRisk: 0.05, maxExtraPerSession: 0, noOverbookWithinHours: 0, pooled: true, appointmentType: 'SKILLS_HEALTH_CHECK' };
    expect(resolvePolicy(input)).toEqual({ ...POLICY_DEFAULTS, mode: 'risk', maxRisk: 0.05, maxExtraPerSession: 0, noOverbookWithinHours: 0, pooled: true });
    expect(resolvePolicy({ mode: 'risk', pooled: false, maxExtraPerDay: 0 })).toMatchObject({ pooled: false, maxExtraPerDay: 0 });
  });
});
