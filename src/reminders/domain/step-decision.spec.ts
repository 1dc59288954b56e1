import fc from 'fast-check';
import { MESSAGE_CHANNELS } from './channels';
import { MESSAGE_STEPS } from './reminder-plan';
import { decideStep, StepFacts } from './step-decision';

const RUNS = { numRuns: 300 };
const t = (iso: string) => Date.parse(iso);
// Monday 7 June 2027, 12:00 BST; default quiet hours 20:00-08:00 London.
const NOW = t('2027-06-07T11:00:00Z');

const facts = (overrides: Partial<StepFacts> = {}): StepFacts => ({
  status: 'planned',
  version: 1,
  step: 'confirmation',
  bookingStatus: 'booked',
  planVersion: 1,
  needsRebooking: false,
  start: t('2027-06-09T09:00:00Z'),
  zone: 'Europe/London',
  policy: null,
  contact: { mobile: '+447911123456', email: 'sam@example.com', preferredChannel: 'sms', consentToContact: true, mobileInvalid: false, smsOptedOut: false },
  tried: [],
  ...overrides,
});

describe('decideStep', () => {
  it.each<[string, Partial<StepFacts>, number, ReturnType<typeof decideStep>]>([
    ['a due step with a mobile: SMS', {}, NOW, { send: 'sms' }],
    ['its SMS failed for good: email', { tried: [{ channel: 'sms', status: 'failed' }] }, NOW, { send: 'email' }],
    ['both channels failed: a failed reminder', { tried: [{ channel: 'sms', status: 'failed' }, { channel: 'email', status: 'failed' }] }, NOW, { finish: 'failed', reason: 'ALL_CHANNELS_FAILED', failedEvent: true }],
    ['no channel at all: skipped', { contact: { ...facts().contact, consentToContact: false } }, NOW, { finish: 'skipped', reason: 'NO_CHANNEL' }],
    ['opted out by STOP, no email: skipped', { contact: { ...facts().contact, smsOptedOut: true, email: null } }, NOW, { finish: 'skipped', reason: 'NO_CHANNEL' }],
    ['sent already (another worker, or a callback): settled, nothing written', { status: 'sent' }, NOW, { settled: 'sent' }],
    ['the booking was moved since: superseded', { planVersion: 2 }, NOW, { finish: 'superseded', reason: null }],
    ['the booking was cancelled: cancelled', { bookingStatus: 'cancelled' }, NOW, { finish: 'cancelled', reason: null }],
    ['word of a cancellation, for a cancelled booking: sent', { step: 'cancellation', bookingStatus: 'cancelled' }, NOW, { send: 'sms' }],
    ['word of a cancellation, for a booking booked again: cancelled', { step: 'cancellation' }, NOW, { finish: 'cancelled', reason: null }],
    ['a closure covers the booking: skipped', { needsRebooking: true }, NOW, { finish: 'skipped', reason: 'NEEDS_REBOOKING' }],
    ['the appointment has begun: skipped', { start: NOW }, NOW, { finish: 'skipped', reason: 'PASSED' }],
    ['due at 21:00 BST: deferred to 08:00 BST', {}, t('2027-06-07T20:00:00Z'), { deferUntil: t('2027-06-08T07:00:00Z') }],
    ['due at 21:00 BST for 07:30 BST: quiet until after it, skipped', { start: t('2027-06-08T06:30:00Z') }, t('2027-06-07T20:00:00Z'), { finish: 'skipped', reason: 'AFTER_APPOINTMENT' }],
    ['a claim left mid-call by a dead worker: unconfirmed, never sent again', { status: 'sending', tried: [{ channel: 'sms', status: 'sending' }] }, NOW, { finish: 'unconfirmed', reason: 'WORKER_LOST', lost: true }],
  ])('%s', (_, overrides, now, expected) => {
    expect(decideStep(facts(overrides), now)).toEqual(expected);
  });

  const anyFacts: fc.Arbitrary<StepFacts> = fc.record({
    status: fc.constantFrom('planned', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded'),
    version: fc.integer({ min: 1, max: 3 }),
    step: fc.constantFrom(...MESSAGE_STEPS),
    bookingStatus: fc.constantFrom('booked', 'cancelled'),
    planVersion: fc.integer({ min: 1, max: 3 }),
    needsRebooking: fc.boolean(),
    start: fc.integer({ min: NOW - 86_400_000, max: NOW + 7 * 86_400_000 }),
    zone: fc.constantFrom('Europe/London', 'Europe/Dublin'),
    policy: fc.constant(null),
    contact: fc.record({
      mobile: fc.option(fc.constant('+447911123456'), { nil: null }),
      email: fc.option(fc.constant('sam@example.com'), { nil: null }),
      preferredChannel: fc.constantFrom('sms' as const, 'email' as const, 'none' as const),
      consentToContact: fc.boolean(),
      mobileInvalid: fc.boolean(),
      smsOptedOut: fc.boolean(),
    }),
    tried: fc.uniqueArray(fc.record({ channel: fc.constantFrom(...MESSAGE_CHANNELS), status: fc.constantFrom('sending', 'unknown', 'sent', 'failed', 'undelivered') }), { selector: (m) => m.channel, maxLength: 2 }),
  });
  const anyNow = fc.integer({ min: NOW - 86_400_000, max: NOW + 86_400_000 });

  it('never sends a step that is finished, superseded, for a booking not in the state it needs, or for a time passed', () => {
    fc.assert(
      fc.property(anyFacts, anyNow, (f, now) => {
        if (!('send' in decideStep(f, now))) return;
        expect(f.status === 'planned' || f.status === 'sending').toBe(true);
        expect(f.version).toBe(f.planVersion);
        expect(f.bookingStatus).toBe(f.step === 'cancellation' ? 'cancelled' : 'booked');
        expect(f.start).toBeGreaterThan(now);
      }),
      RUNS,
    );
  });

  it('never sends twice through one channel, nor beside a message still in flight, nor without consent, nor SMS to an opted-out or invalid number', () => {
    fc.assert(
      fc.property(anyFacts, anyNow, (f, now) => {
        const decision = decideStep(f, now);
        if (!('send' in decision)) return;
        expect(f.tried.map((m) => m.channel)).not.toContain(decision.send);
        expect(f.tried.map((m) => m.status)).not.toContain('sending');
        expect(f.contact.consentToContact && f.contact.preferredChannel !== 'none').toBe(true);
        if (decision.send === 'sms') expect(f.contact.smsOptedOut || f.contact.mobileInvalid || f.contact.mobile === null).toBe(false);
      }),
      RUNS,
    );
  });

  it('defers only to a later instant before the appointment; a step already finished is left as it is', () => {
    fc.assert(
      fc.property(anyFacts, anyNow, (f, now) => {
        const decision = decideStep(f, now);
        if ('deferUntil' in decision) {
          expect(decision.deferUntil).toBeGreaterThan(now);
          expect(decision.deferUntil).toBeLessThan(f.start);
        }
        if (['sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded'].includes(f.status)) expect(decision).toEqual({ settled: f.status });
      }),
      RUNS,
    );
  });
});
