import { AppError } from '../../common/errors/app-error';
import { POLICY_OFF } from '../../overbooking/domain/policy';
import { checkPolicyForm, policyFormOf, problemsOf } from './policy-form';

describe('the overbooking policy form', () => {
  it('reads a risk target in per cent, and leaves empty fields to their defaults', () => {
    expect(checkPolicyForm({ mode: 'risk', maxRisk: '7', maxExtraPerDay: '', pooled: 'no' })).toEqual({ errors: [], input: { mode: 'risk', maxRisk: 0.07, pooled: false } });
    expect(policyFormOf({ ...POLICY_OFF, maxRisk: 0.07 })).toMatchObject({ mode: 'off', maxRisk: '7', pooled: 'yes' });
  });

  it('says what is wrong with each field by the domain rules, in the order of the form', () => {
    const { errors, input } = checkPolicyForm({ mode: 'sometimes', overlapMinutes: '90', maxRisk: '80', maxExtraPerDay: 'lots', pooled: 'maybe' });
    expect(input).toBeUndefined();
    expect(errors).toEqual([
      { href: '#mode', text: 'Select how the site may overbook' },
      { href: '#overlapMinutes', text: 'Overlap must be a whole number of minutes from 5 to 60' },
      { href: '#maxRisk', text: 'Risk target must be more than 0% and at most 50%' },
      { href: '#maxExtraPerDay', text: 'Extra customers per day must be a number, like 2' },
      { href: '#pooled', text: 'Select whether the risk is judged across advisers' },
    ]);
  });

  it("reads a service's field errors, the simulation's and the save's alike", () => {
    const problem = 'overlapMinutes must be shorter than the appointment (60 minutes), or the next would start with it';
    for (const field of ['policy.overlapMinutes', 'overlapMinutes']) {
      expect(problemsOf(new AppError(400, 'VALIDATION_FAILED', '', [{ field, problems: [problem] }]))).toEqual([
        { href: '#overlapMinutes', text: 'Overlap must be shorter than the appointment (60 minutes), or the next would start with it' },
      ]);
    }
    expect(problemsOf(new AppError(422, 'NOT_ENOUGH_HISTORY', ''))).toBeNull();
  });
});
