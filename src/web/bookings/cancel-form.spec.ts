import { checkCancelForm } from './cancel-form';

describe('the cancel form', () => {
  it('builds the cancellation from who and why', () => {
    expect(checkCancelForm({ by: 'customer', reason: '  Started a job ' })).toEqual({ errors: [], cancel: { by: 'customer', reason: 'Started a job' } });
  });

  it('asks for each missing field in the order of the form, and refuses an unknown who', () => {
    expect(checkCancelForm({ by: '', reason: ' ' }).errors.map((e) => e.href)).toEqual(['#by', '#reason']);
    expect(checkCancelForm({ by: 'adviser', reason: 'x' })).toEqual({ errors: [{ href: '#by', text: 'Select who is cancelling' }] });
    expect(checkCancelForm({ by: 'service', reason: 'x'.repeat(1001) }).errors).toEqual([{ href: '#reason', text: 'Reason must be 1000 characters or fewer' }]);
  });
});
