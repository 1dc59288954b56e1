import fc from 'fast-check';
import { cancellationWithheld, DEFAULT_REMINDER_POLICY, nextAllowedTime, planCancellation, planReminders, PlannedStep } from './reminder-plan';

const ZONE = 'Europe/London';
const t = (iso: string) => Date.parse(iso);
const sent = (plan: PlannedStep[]) => plan.flatMap((p) => ('sendAt' in p ? [[p.step, new Date(p.sendAt).toISOString()]] : []));
const skipped = (plan: PlannedStep[]) => plan.flatMap((p) => ('skipped' in p ? [[p.step, p.skipped]] : []));

/** London wall-clock minutes of an instant, worked out with Intl rather than the code under test. */
function londonMinutes(instant: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return get('hour') * 60 + get('minute');
}

describe('planReminders', () => {
  it('a week ahead, in winter: confirmation now, 10:00 two days before, three hours before', () => {
    const plan = planReminders({ bookedAt: t('2027-01-04T11:00:00Z'), start: t('2027-01-11T14:00:00Z'), zone: ZONE });
    expect(sent(plan)).toEqual([
      ['confirmation', '2027-01-04T11:00:00.000Z'],
      ['days_before', '2027-01-09T10:00:00.000Z'],
      ['same_day', '2027-01-11T11:00:00.000Z'],
    ]);
  });

  it('booking at 16:00 for 17:00 gets only the confirmation', () => {
    const plan = planReminders({ bookedAt: t('2027-06-07T15:00:00Z'), start: t('2027-06-07T16:00:00Z'), zone: ZONE });
    expect(sent(plan)).toEqual([['confirmation', '2027-06-07T15:00:00.000Z']]);
    expect(skipped(plan)).toEqual([
      ['days_before', 'PASSED'],
      ['same_day', 'PASSED'],
    ]);
  });

  it('a same-day reminder that would fall in quiet hours waits for 08:00, if that is before the appointment', () => {
    // 09:30 BST appointment: three hours before is 06:30, so it goes at 08:00 BST.
    const plan = planReminders({ bookedAt: t('2027-06-01T09:00:00Z'), start: t('2027-06-07T08:30:00Z'), zone: ZONE });
    expect(sent(plan)).toContainEqual(['same_day', '2027-06-07T07:00:00.000Z']);
  });

  it('a message that could only go after the appointment is dropped', () => {
    // Booked at 22:00 for 07:45 the next morning: quiet until 08:00, too late for anything.
    const plan = planReminders({ bookedAt: t('2027-01-05T22:00:00Z'), start: t('2027-01-06T07:45:00Z'), zone: ZONE });
    expect(sent(plan)).toEqual([]);
    expect(skipped(plan)).toContainEqual(['confirmation', 'AFTER_APPOINTMENT']);
  });

  it('a confirmation asked for in quiet hours goes when they end', () => {
    const plan = planReminders({ bookedAt: t('2027-01-05T21:30:00Z'), start: t('2027-01-20T10:00:00Z'), zone: ZONE });
    expect(sent(plan)[0]).toEqual(['confirmation', '2027-01-06T08:00:00.000Z']);
  });

  it('a reminder within the minimum gap of the step before is dropped', () => {
    // Booked at 07:50 (quiet) for 11:30: the confirmation goes at 08:00, so the same-day
    // reminder at 08:30 would add nothing.
    const plan = planReminders({ bookedAt: t('2027-01-06T07:50:00Z'), start: t('2027-01-06T11:30:00Z'), zone: ZONE });
    expect(sent(plan)).toEqual([['confirmation', '2027-01-06T08:00:00.000Z']]);
    expect(skipped(plan)).toContainEqual(['same_day', 'TOO_CLOSE']);
  });

  it('keeps 10:00 on the wall clock on the weekends the clocks change', () => {
    // Monday 2028-03-27 (clocks went forward Sunday 26th): two days before is Saturday 25th, still GMT.
    const spring = planReminders({ bookedAt: t('2028-03-01T12:00:00Z'), start: t('2028-03-28T09:00:00Z'), zone: ZONE });
    expect(sent(spring)).toContainEqual(['days_before', '2028-03-26T09:00:00.000Z']);
    // Tuesday 2027-11-02: two days before is Sunday 31 October, the day the clocks went back: 10:00 GMT.
    const autumn = planReminders({ bookedAt: t('2027-10-01T12:00:00Z'), start: t('2027-11-02T10:00:00Z'), zone: ZONE });
    expect(sent(autumn)).toContainEqual(['days_before', '2027-10-31T10:00:00.000Z']);
    // Two days before Tuesday 30 March 2027 is Sunday 28th, the day the clocks went forward: 10:00 BST.
    const forward = planReminders({ bookedAt: t('2027-03-01T12:00:00Z'), start: t('2027-03-30T09:00:00Z'), zone: ZONE });
    expect(sent(forward)).toContainEqual(['days_before', '2027-03-28T09:00:00.000Z']);
  });

  it('honours a policy with steps turned off', () => {
    const plan = planReminders({ bookedAt: t('2027-01-04T11:00:00Z'), start: t('2027-01-11T14:00:00Z'), zone: ZONE, policy: { ...DEFAULT_REMINDER_POLICY, daysBefore: 0, hoursBefore: 0 } });
    expect(sent(plan)).toEqual([['confirmation', '2027-01-04T11:00:00.000Z']]);
    expect(skipped(plan)).toEqual([
      ['days_before', 'OFF'],
      ['same_day', 'OFF'],
    ]);
  });

  describe('properties', () => {
    // Bookings and appointments on the minute across 2027-2028, both clock changes included.
    const instant = fc.integer({ min: t('2027-01-01T00:00:00Z') / 60000, max: t('2028-12-31T00:00:00Z') / 60000 }).map((m) => m * 60000);
    const booking = fc.tuple(instant, fc.integer({ min: 1, max: 60 * 24 * 60 })).map(([bookedAt, lead]) => ({ bookedAt, start: bookedAt + lead * 60000 }));

    it('every message goes outside quiet hours, after the booking, before the appointment, in order and spaced', () => {
      fc.assert(
        fc.property(booking, ({ bookedAt, start }) => {
          const plan = planReminders({ bookedAt, start, zone: ZONE });
          expect(plan.map((p) => p.step)).toEqual(['confirmation', 'days_before', 'same_day']);
          const times = plan.flatMap((p) => ('sendAt' in p ? [p.sendAt] : []));
          for (const at of times) {
            const minutes = londonMinutes(at);
            expect(minutes >= 8 * 60 && minutes < 20 * 60).toBe(true);
            expect(at).toBeGreaterThanOrEqual(bookedAt);
            expect(at).toBeLessThan(start);
          }
          for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(60 * 60000);
        }),
        { numRuns: 400 },
      );
    });

    it('nextAllowedTime never moves an allowed instant and never lands in quiet hours', () => {
      fc.assert(
        fc.property(instant, (at) => {
          const next = nextAllowedTime(at, ZONE, DEFAULT_REMINDER_POLICY);
          const minutes = londonMinutes(at);
          if (minutes >= 8 * 60 && minutes < 20 * 60) expect(next).toBe(at);
          else {
            expect(next).toBeGreaterThan(at);
            expect(londonMinutes(next)).toBe(8 * 60);
            expect(next - at).toBeLessThanOrEqual(13 * 60 * 60000);
          }
        }),
        { numRuns: 400 },
      );
    });
  });
});

describe('cancellationWithheld', () => {
  it('sends word of a cancellation only to a customer who has heard of the booking and did not cancel it by text', () => {
    expect(cancellationWithheld({ anythingSent: true, byTextReply: false })).toBeNull();
    expect(cancellationWithheld({ anythingSent: false, byTextReply: false })).toBe('NOTHING_SENT');
    // The answer to their NO already said it is cancelled: a notice would be a second text.
    expect(cancellationWithheld({ anythingSent: true, byTextReply: true })).toBe('ANSWERED_BY_REPLY');
    expect(cancellationWithheld({ anythingSent: false, byTextReply: true })).toBe('NOTHING_SENT');
  });
});

describe('planCancellation', () => {
  const plan = (cancelledAt: string, start: string) => planCancellation({ cancelledAt: t(cancelledAt), start: t(start), zone: ZONE });
  const at = (iso: string) => ({ step: 'cancellation', sendAt: t(iso) });
  const tooLate = { step: 'cancellation', skipped: 'AFTER_APPOINTMENT' };

  it('goes straight away outside quiet hours', () => {
    expect(plan('2027-01-06T14:00:00Z', '2027-01-07T10:00:00Z')).toEqual(at('2027-01-06T14:00:00Z'));
    // 19:59 BST, the last minute before quiet hours in summer.
    expect(plan('2027-06-07T18:59:00Z', '2027-06-08T09:00:00Z')).toEqual(at('2027-06-07T18:59:00Z'));
  });

  it('waits for quiet hours to end, on the same morning or the next', () => {
    expect(plan('2027-01-06T06:00:00Z', '2027-01-06T10:00:00Z')).toEqual(at('2027-01-06T08:00:00Z'));
    expect(plan('2027-01-06T21:30:00Z', '2027-01-08T10:00:00Z')).toEqual(at('2027-01-07T08:00:00Z'));
    // 20:30 BST: 08:00 BST the next morning.
    expect(plan('2027-06-07T19:30:00Z', '2027-06-08T09:00:00Z')).toEqual(at('2027-06-08T07:00:00Z'));
  });

  it('is dropped when it could only go at or after the start of the appointment', () => {
    // Quiet hours end at 08:00 exactly when the appointment starts.
    expect(plan('2027-01-06T22:00:00Z', '2027-01-07T08:00:00Z')).toEqual(tooLate);
    expect(plan('2027-01-06T22:00:00Z', '2027-01-07T08:01:00Z')).toEqual(at('2027-01-07T08:00:00Z'));
    // Cancelled at, or after, the start.
    expect(plan('2027-01-06T14:00:00Z', '2027-01-06T14:00:00Z')).toEqual(tooLate);
    expect(plan('2027-01-06T14:30:00Z', '2027-01-06T14:00:00Z')).toEqual(tooLate);
    expect(plan('2027-01-06T13:59:00Z', '2027-01-06T14:00:00Z')).toEqual(at('2027-01-06T13:59:00Z'));
  });

  it('waits until 08:00 on the wall clock across the spring change', () => {
    // Saturday 21:00 GMT; the clocks go forward that night, so 08:00 on Sunday is BST.
    expect(plan('2027-03-27T21:00:00Z', '2027-03-29T09:00:00Z')).toEqual(at('2027-03-28T07:00:00Z'));
    // 01:30 GMT, half an hour before the hour that is skipped.
    expect(plan('2027-03-28T01:30:00Z', '2027-03-29T09:00:00Z')).toEqual(at('2027-03-28T07:00:00Z'));
    // An 08:00 BST appointment that morning is too early for it.
    expect(plan('2027-03-27T21:00:00Z', '2027-03-28T07:00:00Z')).toEqual(tooLate);
  });

  it('waits until 08:00 on the wall clock across the autumn change', () => {
    // Saturday 21:00 BST; the clocks go back that night, so 08:00 on Sunday is GMT.
    expect(plan('2027-10-30T20:00:00Z', '2027-11-01T10:00:00Z')).toEqual(at('2027-10-31T08:00:00Z'));
    // 01:30 BST and 01:30 GMT: the hour that happens twice.
    expect(plan('2027-10-31T00:30:00Z', '2027-11-01T10:00:00Z')).toEqual(at('2027-10-31T08:00:00Z'));
    expect(plan('2027-10-31T01:30:00Z', '2027-11-01T10:00:00Z')).toEqual(at('2027-10-31T08:00:00Z'));
    // Outside quiet hours on the short-lived Sunday itself: straight away.
    expect(plan('2027-10-31T12:00:00Z', '2027-11-01T10:00:00Z')).toEqual(at('2027-10-31T12:00:00Z'));
  });

  it("honours the site's own quiet hours", () => {
    const policy = { ...DEFAULT_REMINDER_POLICY, quietFrom: '21:00', quietUntil: '09:00' };
    const cancelled = (iso: string) => planCancellation({ cancelledAt: t(iso), start: t('2027-01-08T12:00:00Z'), zone: ZONE, policy });
    expect(cancelled('2027-01-06T08:30:00Z')).toEqual(at('2027-01-06T09:00:00Z'));
    expect(cancelled('2027-01-06T20:30:00Z')).toEqual(at('2027-01-06T20:30:00Z'));
    expect(cancelled('2027-01-06T21:00:00Z')).toEqual(at('2027-01-07T09:00:00Z'));
  });

  it('matches a walk along the London wall clock, across 2027-2028', () => {
    const HOUR = 60 * 60000;
    const quiet = (instant: number) => londonMinutes(instant) < 8 * 60 || londonMinutes(instant) >= 20 * 60;
    // London is always a whole number of hours from UTC, so 08:00 there falls on a UTC hour.
    const quietEnds = (instant: number) => {
      let hour = Math.ceil(instant / HOUR) * HOUR;
      while (londonMinutes(hour) !== 8 * 60) hour += HOUR;
      return hour;
    };
    const instant = fc.integer({ min: t('2027-01-01T00:00:00Z') / 60000, max: t('2028-12-31T00:00:00Z') / 60000 }).map((m) => m * 60000);
    fc.assert(
      fc.property(instant, fc.integer({ min: -120, max: 3 * 24 * 60 }), (cancelledAt, lead) => {
        const start = cancelledAt + lead * 60000;
        const expected = quiet(cancelledAt) ? quietEnds(cancelledAt) : cancelledAt;
        expect(planCancellation({ cancelledAt, start, zone: ZONE })).toEqual(
          expected >= start ? { step: 'cancellation', skipped: 'AFTER_APPOINTMENT' } : { step: 'cancellation', sendAt: expected },
        );
      }),
      { numRuns: 400 },
    );
  });
});
