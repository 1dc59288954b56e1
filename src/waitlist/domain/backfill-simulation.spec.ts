import fc from 'fast-check';
import { generateHistory } from '../../attendance/domain/synthetic-history';
import { DAY, MINUTE } from '../../common/time/local-time';
import { WaitingEntry } from './backfill';
import { Cancellation, DEFAULT_BACKFILL_ASSUMPTIONS, replayBackfill, ReplyOf, simulateBackfill } from './backfill-simulation';

const HOUR = 60 * MINUTE;
const zoneOf = () => 'Europe/London';
const settings = { zoneOf, minNoticeMinutes: 0 };
// Tuesday 9 February 2027, 10:00 GMT; freed the day before at 11:00, outside quiet hours.
const START = Date.parse('2027-02-09T10:00:00Z');
const slot = (freedAt = START - 23 * HOUR, siteId = 'site'): Cancellation => ({ typeId: 'type', siteId, start: START, end: START + HOUR, freedAt });
const waiter = (id: string, joinedHoursBefore: number): WaitingEntry => ({ id, typeId: 'type', siteIds: ['site'], earliest: START - 5 * DAY, latest: START + 5 * DAY, createdAt: START - joinedHoursBefore * HOUR });
const replies = (minutes: Record<string, number>): ReplyOf => (id) => minutes[id] ?? null;

describe('replayBackfill', () => {
  it('refills a seat when the first reply of a round comes in time; the fastest of the three wins', () => {
    const figures = replayBackfill([slot()], [waiter('a', 72), waiter('b', 48), waiter('c', 30)], replies({ a: 40, b: 15 }), settings);
    expect(figures).toEqual({ freed: 1, offered: 1, refilled: 1, refilledShare: 1, minutesToRefill: [15], texts: 3, taken: [true] });
  });

  it('asks the next three when a round lapses, counting the time from the seat freeing', () => {
    const waiting = ['a', 'b', 'c', 'd'].map((id, i) => waiter(id, 100 - i));
    // a answers too late for the first round; d answers in the second, 10 minutes in.
    const figures = replayBackfill([slot()], waiting, replies({ a: 150, d: 10 }), settings);
    expect(figures).toMatchObject({ refilled: 1, minutesToRefill: [130], texts: 4 });
  });

  it('refills nothing with nobody waiting who fits, or nobody who has joined yet', () => {
    expect(replayBackfill([slot()], [], replies({}), settings)).toMatchObject({ offered: 0, refilled: 0, refilledShare: 0, texts: 0 });
    expect(replayBackfill([slot()], [waiter('late', -1)], replies({ late: 1 }), settings)).toMatchObject({ offered: 0, refilled: 0 });
  });

  it('waits for quiet hours to end before texting a seat freed at night', () => {
    // Freed at 23:00; texted at 08:00; taken 5 minutes later: 545 minutes after it freed.
    const figures = replayBackfill([slot(START - 11 * HOUR)], [waiter('a', 72)], replies({ a: 5 }), settings);
    expect(figures.minutesToRefill).toEqual([545]);
  });

  it('gives a customer one seat, and keeps them off a second offer while they are asked about the first', () => {
    const two = [slot(START - 23 * HOUR), { ...slot(START - 23 * HOUR + 30 * MINUTE), start: START + 2 * HOUR, end: START + 3 * HOUR }];
    const figures = replayBackfill(two, [waiter('a', 72)], replies({ a: 60 }), settings);
    expect(figures).toMatchObject({ freed: 2, offered: 1, refilled: 1, texts: 1 });
  });

  it('offers a seat freed while all it fits are answering another offer once that offer closes', () => {
    const two = [slot(START - 23 * HOUR), { ...slot(START - 23 * HOUR + 30 * MINUTE), start: START + 2 * HOUR, end: START + 3 * HOUR }];
    // a takes the first an hour in; b, asked with a and silent, is free then and takes the second 5 minutes after its text.
    const replyOf: ReplyOf = (id, slotIndex) => (id === 'a' && slotIndex === 0 ? 60 : id === 'b' && slotIndex === 1 ? 5 : null);
    const figures = replayBackfill(two, [waiter('a', 72), waiter('b', 48)], replyOf, settings);
    expect(figures).toMatchObject({ freed: 2, offered: 2, refilled: 2, texts: 3, minutesToRefill: [60, 35] });
  });

  it('never refills more seats than were freed or than there are customers waiting, and refill times are never negative (property)', () => {
    const arbitrarySlot = fc.record({ freedHoursBefore: fc.integer({ min: 1, max: 72 }), startHours: fc.integer({ min: 0, max: 48 }) }).map(({ freedHoursBefore, startHours }) => {
      const start = START + startHours * HOUR;
      return { typeId: 'type', siteId: 'site', start, end: start + HOUR, freedAt: start - freedHoursBefore * HOUR };
    });
    fc.assert(
      fc.property(fc.array(arbitrarySlot, { maxLength: 12 }), fc.integer({ min: 0, max: 10 }), fc.array(fc.option(fc.integer({ min: 0, max: 180 })), { minLength: 10, maxLength: 10 }), (freed, count, delays) => {
        const waiting = Array.from({ length: count }, (_, i) => waiter(`w${i}`, 200 - i));
        const figures = replayBackfill(freed, waiting, (id) => delays[Number(id.slice(1))] ?? null, settings);
        expect(figures.refilled).toBeLessThanOrEqual(Math.min(freed.length, count));
        expect(figures.offered).toBeLessThanOrEqual(freed.length);
        for (const minutes of figures.minutesToRefill) expect(minutes).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('simulateBackfill', () => {
  const types = [{ code: 'SKILLS_HEALTH_CHECK', durationMinutes: 60, channel: 'face_to_face' as const }];
  const history = generateHistory({
    seed: 'waitlist-spec',
    from: '2027-01-04',
    weeks: 8,
    sites: [{ id: 'site-1', zone: 'Europe/London' }, { id: 'site-2', zone: 'Europe/London' }],
    advisers: [{ id: 'adviser-1', siteIds: ['site-1'] }, { id: 'adviser-2', siteIds: ['site-2'] }],
    appointmentTypes: types,
    appointmentsPerWeek: 60,
  });

  it('replays the late cancellations of the history, the same for the same seed', () => {
    const figures = simulateBackfill(history, types, zoneOf, { seed: 's', ...DEFAULT_BACKFILL_ASSUMPTIONS });
    expect(figures.freed).toBe(history.filter((r) => r.outcome === 'cancelled_late').length);
    expect(figures.refilled).toBeGreaterThan(0);
    expect(simulateBackfill(history, types, zoneOf, { seed: 's', ...DEFAULT_BACKFILL_ASSUMPTIONS })).toEqual(figures);
  });

  it('refills nothing with nobody waiting, and more with more waiting', () => {
    const at = (waitingPerSiteWeek: number) => simulateBackfill(history, types, zoneOf, { seed: 's', ...DEFAULT_BACKFILL_ASSUMPTIONS, waitingPerSiteWeek }).refilled;
    expect(at(0)).toBe(0);
    expect(at(20)).toBeGreaterThan(at(1));
  });
});
