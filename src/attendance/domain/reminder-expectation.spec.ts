import fc from 'fast-check';
import {
  DEFAULT_REMINDER_DELIVERED_SHARE,
  EXPECTED_REMINDER_FACTOR,
  REMINDER_DUE_HOURS,
  reminderDeliveredShare,
  reminderDue,
  scoreBooking,
} from './reminder-expectation';
import { baseRateModel, LogisticShowModel, scoreShow, ShowModel, ShowScore } from './show-model';
import { ShowSignals } from './show-signals';

const HOUR = 3_600_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const signals: ShowSignals = {
  history: { showed: 2, missed: 1 },
  siteShowRate: 0.8,
  leadDays: 7,
  referralSource: 'jcp',
  mandatory: false,
  appointmentType: 'CV_REVIEW',
  channel: 'face_to_face',
  weekday: 3,
  hour: 11,
  reminder: 'pending',
  confirmed: false,
};

const model = (weights: Record<string, number>, intercept = 0.5): LogisticShowModel => ({
  kind: 'logistic',
  intercept,
  weights,
  l2: 1,
  trainedOn: 1000,
  priorStrength: 5,
  referenceSiteShowRate: 0.8,
});

const REMINDERS = { 'reminder:delivered': 0.35, 'reminder:failed': -0.35 };

describe('reminderDue', () => {
  it('is due from a day ahead, as the history has it', () => {
    expect(REMINDER_DUE_HOURS).toBe(24);
    expect(reminderDue(23.99)).toBe(false);
    expect(reminderDue(24)).toBe(true);
    expect(reminderDue(24 * 14)).toBe(true);
  });
});

describe('reminderDeliveredShare', () => {
  const row = (hoursAhead: number, reminder: ShowSignals['reminder'] | null) => ({ bookedAt: 0, start: hoursAhead * HOUR, reminder });

  it('counts the due reminders whose fate is known, and nothing else', () => {
    const rows = [
      ...Array.from({ length: 7 }, () => row(48, 'delivered')),
      ...Array.from({ length: 3 }, () => row(30, 'failed')),
      // Not due: a delivery here (a confirmation) says nothing of a reminder days before.
      row(5, 'delivered'),
      row(5, 'pending'),
      // Due but unsettled, and an import that says nothing.
      row(72, 'pending'),
      row(72, null),
    ];
    expect(reminderDeliveredShare(rows)).toBeCloseTo(0.7, 12);
  });

  it('falls back to the documented default when nothing was due', () => {
    expect(reminderDeliveredShare([])).toBe(DEFAULT_REMINDER_DELIVERED_SHARE);
    expect(reminderDeliveredShare([row(2, 'pending'), row(100, null)])).toBe(DEFAULT_REMINDER_DELIVERED_SHARE);
  });
});

describe('scoreBooking', () => {
  const reminderModel = model({ ...REMINDERS, 'weekday:3': 0.2, 'lead:log': -0.4 });

  it('scores a booking made under a day ahead as it stands: no reminder is coming', () => {
    expect(scoreBooking(reminderModel, signals, { hoursAhead: 20, deliveredShare: 0.85 })).toEqual(scoreShow(reminderModel, signals));
  });

  it.each<ShowSignals['reminder']>(['delivered', 'failed'])('scores a settled reminder (%s) as it is, however far ahead', (reminder) => {
    const settled = { ...signals, reminder };
    expect(scoreBooking(reminderModel, settled, { hoursAhead: 24 * 10, deliveredShare: 0.85 })).toEqual(scoreShow(reminderModel, settled));
  });

  it('scores a due reminder at its expected effect, and says the factor is an expectation', () => {
    const plain = model(REMINDERS, 0);
    const score = scoreBooking(plain, { ...signals, history: { showed: 0, missed: 0 }, leadDays: 0 }, { hoursAhead: 24 * 7, deliveredShare: 0.85 });
    const expected = 0.85 * sigmoid(0.35) + 0.15 * sigmoid(-0.35);
    expect(score.probability).toBeCloseTo(expected, 12);
    expect(score.factors).toEqual([{ group: 'reminder', factor: EXPECTED_REMINDER_FACTOR, effect: Math.round((expected - 0.5) * 100) / 100 }]);
    expect(score.factors.map((f) => f.factor)).not.toContain('reminder delivered');
  });

  it("gives the other factors as the expectation of their effects, in scoreShow's words", () => {
    const score = scoreBooking(reminderModel, signals, { hoursAhead: 48, deliveredShare: 0.6 });
    const delivered = scoreShow(reminderModel, { ...signals, reminder: 'delivered' });
    const failed = scoreShow(reminderModel, { ...signals, reminder: 'failed' });
    const weekday = (s: ShowScore) => s.factors.find((f) => f.group === 'weekday')!;
    expect(weekday(score).factor).toBe('Wednesday');
    // Rounded effects, so within a cent of the weighted mean of the rounded ones.
    expect(Math.abs(weekday(score).effect - (0.6 * weekday(delivered).effect + 0.4 * weekday(failed).effect))).toBeLessThanOrEqual(0.01);
  });

  it('changes nothing for the base-rate fallback, which has no reminder effect', () => {
    const fallback = baseRateModel([], 5);
    expect(scoreBooking(fallback, signals, { hoursAhead: 24 * 7, deliveredShare: 0.85 })).toEqual(scoreShow(fallback, signals));
  });

  const arbitrarySignals: fc.Arbitrary<ShowSignals> = fc.record({
    history: fc.record({ showed: fc.integer({ min: 0, max: 20 }), missed: fc.integer({ min: 0, max: 20 }) }),
    siteShowRate: fc.double({ min: 0.5, max: 0.97, noNaN: true }),
    leadDays: fc.integer({ min: 0, max: 60 }),
    referralSource: fc.constantFrom('jcp', 'partner', 'self'),
    mandatory: fc.boolean(),
    appointmentType: fc.constantFrom('CV_REVIEW', 'NEVER_SEEN'),
    channel: fc.constantFrom('face_to_face', 'telephone', 'video'),
    weekday: fc.integer({ min: 1, max: 7 }),
    hour: fc.integer({ min: 0, max: 23 }),
    reminder: fc.constant('pending'),
    confirmed: fc.boolean(),
  });
  const arbitraryModel: fc.Arbitrary<ShowModel> = fc.oneof(
    fc
      .record({
        intercept: fc.double({ min: -3, max: 3, noNaN: true }),
        delivered: fc.double({ min: -2, max: 2, noNaN: true }),
        failed: fc.double({ min: -2, max: 2, noNaN: true }),
        history: fc.double({ min: -2, max: 2, noNaN: true }),
        lead: fc.double({ min: -1, max: 1, noNaN: true }),
      })
      .map((w) => model({ 'reminder:delivered': w.delivered, 'reminder:failed': w.failed, 'history:vs_site': w.history, 'lead:log': w.lead }, w.intercept)),
    fc.double({ min: 0.5, max: 20, noNaN: true }).map((strength) => baseRateModel([], strength)),
  );

  it('lies between the score with the reminder failed and with it delivered, for any share', () => {
    fc.assert(
      fc.property(arbitraryModel, arbitrarySignals, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 24, max: 24 * 60, noNaN: true }), (m, s, share, hoursAhead) => {
        const expected = scoreBooking(m, s, { hoursAhead, deliveredShare: share }).probability;
        const delivered = scoreShow(m, { ...s, reminder: 'delivered' }).probability;
        const failed = scoreShow(m, { ...s, reminder: 'failed' }).probability;
        const slack = 1e-12;
        return expected >= Math.min(delivered, failed) - slack && expected <= Math.max(delivered, failed) + slack;
      }),
      { numRuns: 300 },
    );
  });
});
