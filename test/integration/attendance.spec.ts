import { AttendanceService } from '../../src/attendance/attendance.service';
import { AutoDnaSweep } from '../../src/attendance/auto-dna.sweep';
import { HistoryImportService } from '../../src/attendance/history-import.service';
import { InsightsService } from '../../src/attendance/insights.service';
import { BookingView } from '../../src/bookings/dto/bookings.dto';
import { ADMIN, serviceBooking, serviceDiary, useTestContext } from '../support/context';
import { BuiltDiary } from '../support/fixtures';

// Attendance against real PostgreSQL with "now" given: DNA insights against a hand count,
// and the automatic DNA sweep run twice at once.

const t = (iso: string) => Date.parse(iso);

describe('attendance (integration)', () => {
  const ctx = useTestContext();
  const attendance = () => ctx.module.get(AttendanceService);
  const book = async (diary: BuiltDiary, start: string, now: number): Promise<BookingView> => (await ctx.bookings.book(ADMIN, serviceBooking(diary, start), undefined, now)).booking;

  describe('DNA insights match a hand count', () => {
    let a: BuiltDiary;
    let b: BuiltDiary;

    beforeAll(async () => {
      a = await serviceDiary(ctx, { pattern: { validFrom: '2026-01-05' } });
      b = await serviceDiary(ctx, { pattern: { validFrom: '2026-01-05' } });
      const row = (diary: BuiltDiary, legacyId: string, start: string, outcome: string) => ({
        legacyId,
        siteId: diary.siteId,
        adviserId: diary.adviserId,
        appointmentType: diary.typeCode,
        customerReference: `C-${legacyId}`,
        bookedAt: '2025-12-01T10:00:00Z',
        start,
        referralSource: 'jcp',
        mandatory: false,
        outcome,
      });
      const imported = await ctx.module.get(HistoryImportService).import(
        {
          rows: [
            row(a, `${a.siteId}-1`, '2026-06-01T08:59:00Z', 'attended'), // Monday 09:59 BST: hour 9
            row(a, `${a.siteId}-2`, '2026-06-01T09:00:00Z', 'dna'), // 10:00 BST: hour 10
            row(a, `${a.siteId}-3`, '2026-06-01T09:30:00Z', 'dna'),
            row(a, `${a.siteId}-4`, '2026-06-02T13:00:00Z', 'late'), // Tuesday 14:00 BST
            row(a, `${a.siteId}-5`, '2026-01-05T09:00:00Z', 'left_unseen'), // Monday 09:00 GMT
            row(a, `${a.siteId}-6`, '2026-01-05T10:00:00Z', 'cancelled_late'),
            row(b, `${b.siteId}-7`, '2026-06-03T08:00:00Z', 'dna'), // Wednesday 09:00 BST
            row(b, `${b.siteId}-8`, '2026-06-03T23:30:00Z', 'attended'), // Thursday 00:30 BST
          ],
        },
        t('2026-07-01T00:00:00Z'),
      );
      expect(imported).toEqual({ accepted: 8, unchanged: 0, rejected: [] });
      const booked = t('2026-05-01T12:00:00Z');
      const cancelled = await book(a, '2026-06-08T10:00:00+01:00', booked);
      await ctx.bookings.cancel(ADMIN, cancelled.id, { by: 'customer', reason: 'Found work' }, t('2026-05-02T12:00:00Z'));
      await book(a, '2026-06-08T11:00:00+01:00', booked); // no outcome
      const missed = await book(a, '2026-06-09T11:00:00+01:00', booked);
      await attendance().recordOutcome(ADMIN, missed.id, { outcome: 'dna' }, t('2026-06-09T12:00:00Z'));
    });

    const insights = (groupBy: ('site' | 'weekday' | 'hour')[]) =>
      ctx.module.get(InsightsService).dna(ADMIN, { from: '2026-01-01', to: '2026-06-30', siteId: [a.siteId, b.siteId], groupBy });
    const counts = (bookings: number, cancelledInAdvance: number, outcomes: Partial<Record<string, number>>, noOutcome: number) => ({
      bookings,
      cancelledInAdvance,
      outcomes: { attended: 0, late: 0, dna: 0, cancelled_late: 0, left_unseen: 0, ...outcomes },
      noOutcome,
    });

    it('by local hour, in the site zone on both sides of the clock change', async () => {
      const result = await insights(['hour']);
      const byHour = Object.fromEntries(result.groups.map((g) => [g.key.hour, g]));
      expect(Object.keys(byHour).sort()).toEqual(['0', '10', '11', '14', '9']);
      expect(byHour[9]).toMatchObject({ ...counts(3, 0, { attended: 1, left_unseen: 1, dna: 1 }, 0), dnaRate: 1 / 3, labels: { hour: '09:00-10:00' } });
      expect(byHour[10]).toMatchObject({ ...counts(3, 1, { dna: 2, cancelled_late: 1 }, 0), dnaRate: 1 });
      expect(byHour[11]).toMatchObject({ ...counts(2, 0, { dna: 1 }, 1), dnaRate: 1 });
      expect(byHour[14]).toMatchObject({ ...counts(1, 0, { late: 1 }, 0), dnaRate: 0 });
      expect(byHour[0]).toMatchObject({ ...counts(1, 0, { attended: 1 }, 0), dnaRate: 0 });
      expect(result.total).toMatchObject({ ...counts(10, 1, { attended: 2, late: 1, dna: 4, cancelled_late: 1, left_unseen: 1 }, 1), dnaRate: 0.5, key: {}, labels: {} });
      // Wilson 95% for 4 of 8, worked out by hand: centre 0.5, half-width 0.2848.
      expect(result.total.dnaRateInterval!.low).toBeCloseTo(0.2152, 4);
      expect(result.total.dnaRateInterval!.high).toBeCloseTo(0.7848, 4);
    });

    it('by site and weekday, with names and the local date across midnight', async () => {
      const result = await insights(['site', 'weekday']);
      const cell = (siteId: string, weekday: number) => result.groups.find((g) => g.key.site === siteId && g.key.weekday === weekday);
      expect(result.groups).toHaveLength(4);
      expect(cell(a.siteId, 1)).toMatchObject({ ...counts(6, 1, { attended: 1, dna: 2, left_unseen: 1, cancelled_late: 1 }, 1), dnaRate: 0.5, labels: { weekday: 'Monday' } });
      expect(cell(a.siteId, 2)).toMatchObject({ ...counts(2, 0, { late: 1, dna: 1 }, 0), dnaRate: 0.5 });
      expect(cell(b.siteId, 3)).toMatchObject({ ...counts(1, 0, { dna: 1 }, 0), dnaRate: 1 });
      expect(cell(b.siteId, 4)).toMatchObject({ ...counts(1, 0, { attended: 1 }, 0), dnaRate: 0 });
      expect(cell(a.siteId, 1)!.labels.site).toMatch(/^Site /);
    });

    it('an organisation that neither referred nor advised sees nothing', async () => {
      const stranger = await ctx.partners.createOrganisation({ name: 'Stranger', kind: 'partner' });
      const result = await ctx.module.get(InsightsService).dna(
        { clientId: stranger.id, organisationId: stranger.id, scopes: new Set(['bookings:write']), admin: false },
        { from: '2026-01-01', to: '2026-06-30', groupBy: ['site'] },
      );
      expect(result.groups).toEqual([]);
      expect(result.total.bookings).toBe(0);
      expect(result.total.dnaRate).toBeNull();
    });
  });

  describe('the automatic DNA sweep', () => {
    it('run twice at once records each due booking exactly once, and leaves the rest alone', async () => {
      const on = await serviceDiary(ctx, { pattern: { validFrom: '2026-01-05' } });
      const off = await serviceDiary(ctx, { pattern: { validFrom: '2026-01-05' } });
      await attendance().savePolicy(on.siteId, { autoDnaAfterHours: 2 });
      const booked = t('2026-05-01T12:00:00Z');
      const due = await Promise.all(['09:00', '10:00', '11:00', '12:00'].map((time) => book(on, `2026-06-08T${time}:00+01:00`, booked)));
      const recent = await book(on, '2026-06-08T14:00:00+01:00', booked); // ends 15:00, not yet 2 hours ago
      const recorded = await book(on, '2026-06-08T13:00:00+01:00', booked);
      const elsewhere = await book(off, '2026-06-08T09:00:00+01:00', booked);
      const now = t('2026-06-08T16:30:00+01:00');
      await attendance().recordOutcome(ADMIN, recorded.id, { outcome: 'attended' }, now);

      const sweep = ctx.module.get(AutoDnaSweep);
      const [first, second] = await Promise.all([sweep.sweep(now), sweep.sweep(now)]);
      expect(first + second).toBe(4);
      expect(await sweep.sweep(now)).toBe(0);

      const outcomes = await ctx.db.query<{ id: string; outcome: string | null; events: number }>(
        `SELECT b.id, b.outcome, (SELECT count(*)::int FROM booking_events e WHERE e.booking_id = b.id AND e.kind LIKE 'outcome%') AS events
           FROM bookings b WHERE b.id = ANY ($1) ORDER BY b.starts_at`,
        [[...due, recent, recorded, elsewhere].map((x) => x.id)],
      );
      const byId = new Map(outcomes.map((o) => [o.id, o]));
      for (const booking of due) expect(byId.get(booking.id)).toMatchObject({ outcome: 'dna', events: 1 });
      expect(byId.get(recent.id)).toMatchObject({ outcome: null, events: 0 });
      expect(byId.get(recorded.id)).toMatchObject({ outcome: 'attended', events: 1 });
      expect(byId.get(elsewhere.id)).toMatchObject({ outcome: null, events: 0 });
      const [event] = await ctx.db.query('SELECT actor_type, data FROM booking_events WHERE booking_id = $1 AND kind = $2', [due[0].id, 'outcome_recorded']);
      expect(event).toEqual({ actor_type: 'system', data: { outcome: 'dna', note: null, previous: null } });
      expect(await ctx.db.query('SELECT outcome FROM attendance_records WHERE booking_id = $1', [due[0].id])).toEqual([{ outcome: 'dna' }]);
    });
  });
});
