import { ShowModelService } from '../../src/attendance/show-model.service';
import { auc } from '../../src/attendance/domain/metrics';
import { showed } from '../../src/attendance/domain/outcomes';
import { withCustomerHistory } from '../../src/attendance/domain/customer-history';
import { EXPECTED_REMINDER_FACTOR } from '../../src/attendance/domain/reminder-expectation';
import { generateHistory, observableShowProbability, SyntheticAppointment } from '../../src/attendance/domain/synthetic-history';
import { insertHistory, syntheticRecord } from '../../src/attendance/history-records';
import { BookingView } from '../../src/bookings/dto/bookings.dto';
import { BookingEvents, SYSTEM } from '../../src/common/events/booking-events';
import { DAY } from '../../src/common/time/local-time';
import { ADMIN, serviceBooking, serviceDiary, useTestContext } from '../support/context';
import { BuiltDiary } from '../support/fixtures';

// The show model against real PostgreSQL: trained on a synthetic year whose attendance
// follows a known hidden model, judged against the truth, and scoring live bookings.

const t = (iso: string) => Date.parse(iso);
const AFTER_HISTORY = t('2026-01-12T12:00:00Z');

describe('show probability (integration)', () => {
  const ctx = useTestContext();
  const service = () => ctx.module.get(ShowModelService);
  let diary: BuiltDiary;
  let history: SyntheticAppointment[];

  beforeAll(async () => {
    diary = await serviceDiary(ctx, { advisers: 6, type: { durationMinutes: 30 }, pattern: { validFrom: '2026-01-12' } });
    history = generateHistory({
      seed: `show-model-${diary.siteId}`,
      from: '2025-01-06',
      weeks: 52,
      sites: [{ id: diary.siteId, zone: 'Europe/London' }],
      advisers: diary.adviserIds.map((id) => ({ id, siteIds: [diary.siteId] })),
      appointmentTypes: [{ code: diary.typeCode, durationMinutes: 30, channel: 'face_to_face' }],
      appointmentsPerWeek: 350,
    });
    expect(await insertHistory((sql, params) => ctx.dataSource.query(sql, params), history.map(syntheticRecord))).toBe(history.length);
  });

  it('says it has no model before the first training, and falls back to base rates with too little history', async () => {
    await expect(service().current()).rejects.toMatchObject({ status: 404, code: 'NO_MODEL' });
    // Only the first two days' outcomes are old enough at this "now".
    const early = await service().train(t('2025-01-08T00:00:00Z'));
    expect(early).toMatchObject({ kind: 'base_rates', fallback: true, live: true, note: expect.stringMatching(/examples/) });
  });

  it('fits a model close to the truth on a later period it never saw', async () => {
    const trained = (await service().train(AFTER_HISTORY))!;
    expect(trained).toMatchObject({ kind: 'logistic', fallback: false, note: null, live: true });
    expect(await service().current()).toEqual(trained);
    const heldOutFrom = t(trained.evaluation.heldOutFrom!);
    const heldOut = [...withCustomerHistory(history)].filter(({ row }) => row.start >= heldOutFrom && showed(row.outcome) !== null);
    expect(trained.evaluation.n).toBe(heldOut.length);
    const aucOf = (probability: (x: (typeof heldOut)[number]) => number) =>
      auc(
        heldOut.map(probability),
        heldOut.map(({ row }) => showed(row.outcome)!),
      )!;
    // Knowing each customer's hidden reliability is out of any model's reach; knowing only their record is not.
    const omniscient = aucOf(({ row }) => row.showProbability);
    const observable = aucOf(({ row, history }) => observableShowProbability(row, history));
    expect(observable).toBeLessThan(omniscient);
    expect(trained.evaluation.auc!).toBeGreaterThan(observable - 0.03);
    expect(trained.evaluation.auc!).toBeLessThan(observable + 0.02);
    for (const decile of trained.evaluation.calibration) {
      const se = Math.sqrt((decile.meanPredicted! * (1 - decile.meanPredicted!)) / decile.n);
      expect(Math.abs(decile.observedRate! - decile.meanPredicted!)).toBeLessThan(4 * se + 0.02);
    }
  });

  describe('a live booking', () => {
    const book = async (reference: string, time: string): Promise<BookingView> =>
      (await ctx.bookings.book(ADMIN, serviceBooking(diary, `2026-01-26T${time}:00Z`, reference), undefined, AFTER_HISTORY)).booking;
    const recordOf = (reference: string) => {
      const mine = history.filter((r) => r.customerReference === reference && showed(r.outcome) !== null);
      return { missed: mine.filter((r) => r.outcome === 'dna').length, total: mine.length };
    };

    it("carries the probability and its reasons, led by the customer's own record", async () => {
      await service().train(AFTER_HISTORY);
      const references = [...new Set(history.map((r) => r.customerReference))];
      const unreliable = references.find((r) => recordOf(r).missed >= 4 && recordOf(r).missed === recordOf(r).total)!;
      const reliable = references.find((r) => recordOf(r).total >= 4 && recordOf(r).missed === 0)!;
      const bad = await book(unreliable, '10:00');
      const good = await book(reliable, '11:00');
      expect(bad.showProbability!).toBeLessThan(0.5);
      expect(good.showProbability!).toBeGreaterThan(0.75);
      const { missed, total } = recordOf(unreliable);
      expect(bad.showFactors[0]).toEqual({ factor: `customer history: ${missed} of ${total} missed`, effect: expect.any(Number) });
      expect(bad.showFactors[0].effect).toBeLessThan(-0.1);
      // A newcomer has no record to go on.
      const newcomer = await book('NEW-CUSTOMER', '12:00');
      expect(newcomer.showFactors.map((f) => f.factor)).not.toContainEqual(expect.stringMatching(/customer history/));
    });

    it('moves up when a reminder is delivered and down when reminders fail', async () => {
      const booking = await book('C-MOVES', '13:00');
      const signal = async (kind: 'reminder_delivered' | 'reminder_failed') => {
        await ctx.dataSource.transaction((manager) => ctx.module.get(BookingEvents).record(manager, { bookingId: booking.id, kind, at: AFTER_HISTORY, actor: SYSTEM }));
        return (await ctx.bookings.get(ADMIN, booking.id)).showProbability!;
      };
      const failed = await signal('reminder_failed');
      expect(failed).toBeLessThan(booking.showProbability!);
      const delivered = await signal('reminder_delivered');
      expect(delivered).toBeGreaterThan(booking.showProbability!);
      // A later failure does not undo a delivery.
      expect(await signal('reminder_failed')).toBe(delivered);
    });

    it('counts a reminder still to come at its expected effect, and none for a booking made under a day ahead', async () => {
      const [{ model }]: { model: { reminderDeliveredShare: number } }[] = await ctx.dataSource.query('SELECT model FROM show_models WHERE live');
      const due = history.filter((r) => r.start - r.bookedAt >= DAY && r.reminder !== 'pending');
      const share = model.reminderDeliveredShare;
      expect(share).toBeCloseTo(due.filter((r) => r.reminder === 'delivered').length / due.length, 12);
      // The booking as made, then its reminders failed, then one delivered: the three states a booking's score can take.
      const settle = async (start: string, reference: string) => {
        const booking = (await ctx.bookings.book(ADMIN, serviceBooking(diary, start, reference), undefined, AFTER_HISTORY)).booking;
        const signal = async (kind: 'reminder_delivered' | 'reminder_failed') => {
          await ctx.dataSource.transaction((manager) => ctx.module.get(BookingEvents).record(manager, { bookingId: booking.id, kind, at: AFTER_HISTORY, actor: SYSTEM }));
          return (await ctx.bookings.get(ADMIN, booking.id)).showProbability!;
        };
        const failed = await signal('reminder_failed');
        return { booking, failed, delivered: await signal('reminder_delivered') };
      };
      const [{ id: appointmentTypeId }] = await ctx.dataSource.query('SELECT id FROM appointment_types WHERE code = $1', [diary.typeCode]);
      const quoted = await ctx.dataSource.transaction((manager) =>
        service().estimate(manager, { customerReference: 'C-WEEK-AHEAD', siteId: diary.siteId, appointmentTypeId, start: t('2026-01-19T10:00:00Z'), now: AFTER_HISTORY }),
      );
      const weekAhead = await settle('2026-01-19T10:00:00Z', 'C-WEEK-AHEAD');
      expect(weekAhead.booking.showProbability!).toBeCloseTo(share * weekAhead.delivered + (1 - share) * weekAhead.failed, 5);
      // What a search quotes for the slot is what the booking then gets.
      expect(weekAhead.booking.showProbability!).toBeCloseTo(quoted, 6);
      const factors = weekAhead.booking.showFactors.map((f) => f.factor);
      expect(factors).not.toContain('reminder delivered');
      expect(factors.filter((f) => /reminder/.test(f))).toEqual(factors.some((f) => /reminder/.test(f)) ? [EXPECTED_REMINDER_FACTOR] : []);
      // Twenty-one hours ahead: no reminder is coming, and 'pending' is what the model learned such bookings by.
      const nextDay = await settle('2026-01-13T09:00:00Z', 'C-NEXT-DAY');
      const mixture = share * nextDay.delivered + (1 - share) * nextDay.failed;
      expect(Math.abs(nextDay.booking.showProbability! - mixture)).toBeGreaterThan(0.005);
      expect(nextDay.failed).toBeLessThan(nextDay.booking.showProbability!);
      expect(nextDay.delivered).toBeGreaterThan(nextDay.booking.showProbability!);
    });

    it('a cancelled booking has no probability', async () => {
      const booking = await book('C-CANCELS', '14:00');
      const cancelled = await ctx.bookings.cancel(ADMIN, booking.id, { by: 'customer', reason: 'Found work' }, AFTER_HISTORY);
      expect(cancelled).toMatchObject({ showProbability: null, showFactors: [] });
    });
  });
});
