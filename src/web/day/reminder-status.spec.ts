import { reminderStatus, ReminderStep } from './reminder-status';

const NOW = Date.parse('2027-01-04T08:00:00Z');
const step = (step: string, status: string, sendAt: string | null): ReminderStep => ({ step, status, sendAt: sendAt ? new Date(sendAt) : null });

describe("a booking's reminder status on the adviser's day", () => {
  it('says when the latest reminder went, or that it was not delivered', () => {
    const twoSent = [step('confirmation', 'sent', '2027-01-01T09:00:00Z'), step('days_before', 'sent', '2027-01-02T10:00:00Z'), step('same_day', 'sent', '2027-01-04T07:00:00Z')];
    expect(reminderStatus(twoSent, 'Europe/London', NOW)).toEqual({ text: 'Sent Mon 4 Jan at 7am', classes: 'govuk-tag--green' });
    const failedLast = [step('days_before', 'sent', '2027-01-02T10:00:00Z'), step('same_day', 'failed', '2027-01-04T07:00:00Z')];
    expect(reminderStatus(failedLast, 'Europe/London', NOW)).toEqual({ text: 'Not delivered', classes: 'govuk-tag--red' });
  });

  it('says when the next is due before any has gone, on the site clock', () => {
    const planned = [step('confirmation', 'sent', '2026-12-01T09:00:00Z'), step('same_day', 'planned', '2027-06-07T06:00:00Z'), step('days_before', 'planned', '2027-06-05T09:00:00Z')];
    expect(reminderStatus(planned, 'Europe/London', NOW)).toEqual({ text: 'Due Sat 5 Jun at 10am', classes: 'govuk-tag--blue' });
    expect(reminderStatus(planned, 'Europe/London', Date.parse('2027-06-05T12:00:00Z'))).toEqual({ text: 'Not sent yet (due Sat 5 Jun at 10am)', classes: 'govuk-tag--yellow' });
  });

  it('counts neither a confirmation nor a skipped, cancelled or superseded step as a reminder', () => {
    const none = [step('confirmation', 'sent', '2027-01-01T09:00:00Z'), step('days_before', 'skipped', null), step('same_day', 'superseded', '2027-01-04T07:00:00Z')];
    expect(reminderStatus(none, 'Europe/London', NOW)).toEqual({ text: 'No reminder', classes: 'govuk-tag--grey' });
  });
});
