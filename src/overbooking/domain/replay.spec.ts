import fc from 'fast-check';
import { Outcome } from '../../attendance/domain/outcomes';
import { DiaryPattern } from '../../diaries/domain/availability';
import { addDays, isoWeekday, localClockOf, localDateOf, localToInstant, MINUTE } from '../../common/time/local-time';
import { resolvePolicy } from './policy';
import { replay, ReplayDiary, replayPeriod, ReplayRecord, replayRequests, replaySessions, ReplayTooLarge } from './replay';
import { SimSession } from './simulation';

const ZONE = 'Europe/London';
const HOUR = 60 * MINUTE;
const at = (date: string, time: string) => localToInstant(ZONE, date, time);
/** The tests' clock: Monday 30 November 2026, 12:00 in London. */
const NOW = at('2026-11-30', '12:00');
/** Two weeks before it: Mondays 16 and 23 November. */
const PERIOD = replayPeriod(ZONE, NOW, 2);

const pattern = (adviserId: string, weekdays: number[], startTime: string, endTime: string, more: Partial<DiaryPattern> = {}): DiaryPattern => ({
  id: `p-${adviserId}-${startTime}`,
  adviserId,
  siteId: 'site',
  roomId: null,
  weekdays,
  startTime,
  endTime,
  // Entered after the replayed weeks, as the demo's are: today's diary is laid over them all the same.
  validFrom: '2026-11-30',
  validTo: null,
  appointmentTypes: ['SHC'],
  ...more,
});

const diary = (patterns: DiaryPattern[], more: Partial<ReplayDiary> = {}): ReplayDiary => ({
  site: { id: 'site', timezone: ZONE, openingHours: null, closedDates: new Set() },
  type: { code: 'SHC', durationMinutes: 60, bufferMinutes: 0, capacity: 1 },
  patterns,
  absences: new Map(),
  roomCapacities: new Map(),
  ...more,
});

const record = (start: number, more: Partial<ReplayRecord> = {}): ReplayRecord => ({
  customerReference: `C-${start}`,
  arrangedAt: start - 7 * 24 * HOUR,
  start,
  outcome: 'attended',
  predictedShow: 0.5,
  referralSource: 'jcp',
  ...more,
});

const local = (sessions: readonly SimSession[]) => sessions.map((s) => `${localDateOf(s.start, ZONE)} ${String(Math.floor(localClockOf(s.start, ZONE).minutes / 60)).padStart(2, '0')}:${String(localClockOf(s.start, ZONE).minutes % 60).padStart(2, '0')}`);

describe('replayPeriod', () => {
  it('is the whole weeks before the one that holds now', () => {
    expect(PERIOD).toEqual({ from: '2026-11-16', to: '2026-11-29', weeks: 2, range: { start: at('2026-11-16', '00:00'), end: at('2026-11-30', '00:00') } });
    // Late on a Sunday, that week is not over: it is left out.
    expect(replayPeriod(ZONE, at('2026-11-29', '23:30'), 1)).toMatchObject({ from: '2026-11-16', to: '2026-11-22' });
  });

  it('spans local weeks, an hour longer across the autumn clock change', () => {
    const period = replayPeriod(ZONE, NOW, 6);
    expect(period.from).toBe('2026-10-19');
    expect(period.range.end - period.range.start).toBe(6 * 7 * 24 * HOUR + HOUR);
  });
});

describe('replaySessions', () => {
  const mondays = diary([pattern('ada', [1], '09:00', '12:00')]);

  it("lays today's pattern over the replayed weeks, packed from the window's start", () => {
    const { advisers, sessions } = replaySessions(mondays, PERIOD);
    expect(advisers).toEqual([{ id: 'ada', appointmentTypes: ['SHC'] }]);
    expect(local(sessions)).toEqual(['2026-11-16 09:00', '2026-11-16 10:00', '2026-11-16 11:00', '2026-11-23 09:00', '2026-11-23 10:00', '2026-11-23 11:00']);
    expect(sessions[0]).toEqual({ id: `ada@${at('2026-11-16', '09:00')}`, adviserId: 'ada', appointmentType: 'SHC', start: at('2026-11-16', '09:00'), durationMinutes: 60, capacity: 1 });
  });

  it('keeps the buffer between sessions; an overlap takes its place and starts the next before the last ends', () => {
    const buffered = diary(mondays.patterns as DiaryPattern[], { type: { code: 'SHC', durationMinutes: 60, bufferMinutes: 15, capacity: 1 } });
    expect(local(replaySessions(buffered, PERIOD).sessions).slice(0, 3)).toEqual(['2026-11-16 09:00', '2026-11-16 10:15', '2026-11-23 09:00']);
    expect(local(replaySessions(buffered, PERIOD, 15).sessions).slice(0, 4)).toEqual(['2026-11-16 09:00', '2026-11-16 09:45', '2026-11-16 10:30', '2026-11-23 09:00']);
    // Starts stay on five-minute marks: an overlap of 7 minutes works as 5.
    expect(local(replaySessions(mondays, PERIOD, 7).sessions).slice(0, 3)).toEqual(['2026-11-16 09:00', '2026-11-16 09:55', '2026-11-16 10:50']);
  });

  it("leaves out the replayed weeks' closures and absences, and seats a group as its room allows", () => {
    const blocked = diary([pattern('ada', [1], '09:00', '12:00', { roomId: 'room' })], {
      site: { id: 'site', timezone: ZONE, openingHours: null, closedDates: new Set(['2026-11-23']) },
      absences: new Map([['ada', [{ start: at('2026-11-16', '10:00'), end: at('2026-11-16', '11:00') }]]]),
      type: { code: 'SHC', durationMinutes: 60, bufferMinutes: 0, capacity: 8 },
      roomCapacities: new Map([['room', 5]]),
    });
    const { sessions } = replaySessions(blocked, PERIOD);
    expect(local(sessions)).toEqual(['2026-11-16 09:00', '2026-11-16 11:00']);
    expect(sessions.map((s) => s.capacity)).toEqual([5, 5]);
  });

  it('keeps 09:00 on the wall clock across the autumn clock change', () => {
    const { sessions } = replaySessions(mondays, replayPeriod(ZONE, at('2026-11-02', '12:00'), 2));
    expect(local(sessions).filter((s) => s.endsWith('09:00'))).toEqual(['2026-10-19 09:00', '2026-10-26 09:00']);
    expect(sessions[3].start - sessions[0].start).toBe(7 * 24 * HOUR + HOUR);
  });
});

describe('replayRequests', () => {
  // Two seats on Monday 16 November and none on the Tuesday.
  const sessions = replaySessions(diary([pattern('ada', [1], '09:00', '11:00')]), replayPeriod(ZONE, at('2026-11-23', '12:00'), 1)).sessions;
  const monday = record(at('2026-11-16', '10:00'), { customerReference: 'MON', predictedShow: 0.9 });
  const tuesday = [
    record(at('2026-11-17', '09:00'), { customerReference: 'TUE1', predictedShow: 0.3, outcome: 'dna', referralSource: 'partner' }),
    record(at('2026-11-17', '14:00'), { customerReference: 'TUE2', predictedShow: 0.6, outcome: 'cancelled_late', arrangedAt: at('2026-11-17', '08:30') }),
  ];

  it("meets demand per seat on each day with seats: that day's records, then others moved to it", () => {
    const requests = replayRequests([monday, ...tuesday], sessions, { zone: ZONE, demand: 1.5, seed: 's' });
    expect(requests).toHaveLength(3);
    const day = { earliestStart: at('2026-11-16', '00:00'), latestStart: at('2026-11-17', '00:00') - 1 };
    expect(requests.find((r) => r.customerId === 'MON')).toEqual({
      customerId: 'MON', requestedAt: monday.arrangedAt, ...day, appointmentType: 'SHC', predictedShow: 0.9, turnsUp: true, lateMinutes: 0, lot: expect.any(Number), referralSource: 'jcp',
    });
    // Copies are new customers, their lead time kept on the day they are moved to.
    const copies = requests.filter((r) => r.customerId !== 'MON');
    expect(copies.map((r) => r.customerId).sort()).toEqual(['2026-11-16#1', '2026-11-16#2']);
    for (const copy of copies) {
      expect(copy).toMatchObject(day);
      const from = [monday, ...tuesday].find((r) => r.predictedShow === copy.predictedShow)!;
      expect(copy.requestedAt - from.arrangedAt).toBe(at('2026-11-16', '00:00') - at(localDateOf(from.start, ZONE), '00:00'));
      // A DNA and a late cancellation are customers who do not come.
      expect(copy.turnsUp).toBe(from.outcome === 'attended');
    }
    expect(requests.map((r) => r.requestedAt)).toEqual([...requests.map((r) => r.requestedAt)].sort((x, y) => x - y));
  });

  it("takes a random share of a day's records when more were recorded than demand asks", () => {
    const crowded = ['09:00', '09:30', '10:00'].map((time, i) => record(at('2026-11-16', time), { customerReference: `M${i}` }));
    const requests = replayRequests(crowded, sessions, { zone: ZONE, demand: 1, seed: 's' });
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((r) => r.customerId)).size).toBe(2);
    expect(requests.every((r) => /^M\d$/.test(r.customerId))).toBe(true);
  });

  const generated = fc.record({
    demand: fc.double({ min: 1, max: 3, noNaN: true }),
    seed: fc.string({ maxLength: 6 }),
    records: fc.array(
      fc.record({ day: fc.integer({ min: 0, max: 13 }), minute: fc.integer({ min: 0, max: 600 }), lead: fc.integer({ min: 0, max: 20 }), p: fc.double({ min: 0, max: 1, noNaN: true }), came: fc.boolean() }),
      { minLength: 1, maxLength: 40 },
    ),
  });
  const recordsOf = (rows: { day: number; minute: number; lead: number; p: number; came: boolean }[]) =>
    rows.map((row, i): ReplayRecord => {
      const start = at(addDays(PERIOD.from, row.day), '08:00') + row.minute * MINUTE;
      return record(start, { customerReference: `R${i}`, arrangedAt: start - row.lead * 24 * HOUR, predictedShow: row.p, outcome: (row.came ? 'late' : 'dna') as Outcome });
    });
  const weekdays = replaySessions(diary([pattern('ada', [1, 2, 3], '09:00', '13:00'), pattern('bea', [3, 5], '10:00', '12:00')]), PERIOD).sessions;

  it('gives every day with seats round(demand x seats) requests on that day, each a recorded one or like one, in order; the same every time', () => {
    fc.assert(
      fc.property(generated, ({ demand, seed, records: rows }) => {
        const records = recordsOf(rows);
        const requests = replayRequests(records, weekdays, { zone: ZONE, demand, seed });
        expect(replayRequests(records, weekdays, { zone: ZONE, demand, seed })).toEqual(requests);
        const seats = new Map<string, number>();
        for (const s of weekdays) seats.set(localDateOf(s.start, ZONE), (seats.get(localDateOf(s.start, ZONE)) ?? 0) + s.capacity);
        const perDay = new Map<string, number>();
        for (const r of requests) perDay.set(localDateOf(r.earliestStart, ZONE), (perDay.get(localDateOf(r.earliestStart, ZONE)) ?? 0) + 1);
        expect(Object.fromEntries(perDay)).toEqual(Object.fromEntries([...seats].map(([date, n]) => [date, Math.round(demand * n)])));
        expect(requests.every((r) => localDateOf(r.latestStart, ZONE) === localDateOf(r.earliestStart, ZONE))).toBe(true);
        expect(requests.every((r) => records.some((x) => x.predictedShow === r.predictedShow && (x.outcome === 'late') === r.turnsUp))).toBe(true);
        expect(requests.every((r, i) => i === 0 || r.requestedAt >= requests[i - 1].requestedAt)).toBe(true);
        // Where a day's own records fit, every one of them is replayed as itself.
        const dates = records.map((x) => localDateOf(x.start, ZONE));
        const fits = (date: string) => seats.has(date) && dates.filter((d) => d === date).length <= Math.round(demand * seats.get(date)!);
        expect(records.filter((x, i) => fits(dates[i]) && !requests.some((r) => r.customerId === x.customerReference))).toEqual([]);
      }),
    );
  });
});

describe('replaySessions: generated diaries', () => {
  const generated = fc.record({
    weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    startHour: fc.integer({ min: 7, max: 12 }),
    hours: fc.integer({ min: 1, max: 8 }),
    duration: fc.constantFrom(20, 30, 45, 60, 90),
    buffer: fc.constantFrom(0, 5, 15),
    overlap: fc.integer({ min: 5, max: 60 }),
    closed: fc.uniqueArray(fc.integer({ min: 0, max: 13 }), { maxLength: 4 }),
  });

  it('lays sessions only on open days inside the pattern; apart by duration and buffer, or overlapping by at most the overlap', () => {
    fc.assert(
      fc.property(generated, ({ weekdays, startHour, hours, duration, buffer, overlap, closed }) => {
        fc.pre(overlap < duration);
        const start = `${String(startHour).padStart(2, '0')}:00`;
        const end = `${String(startHour + hours).padStart(2, '0')}:00`;
        const closedDates = new Set(closed.map((d) => addDays(PERIOD.from, d)));
        const d = diary([pattern('ada', weekdays, start, end)], {
          site: { id: 'site', timezone: ZONE, openingHours: null, closedDates },
          type: { code: 'SHC', durationMinutes: duration, bufferMinutes: buffer, capacity: 1 },
        });
        const standard = replaySessions(d, PERIOD).sessions;
        const overlapping = replaySessions(d, PERIOD, overlap).sessions;
        const misplaced = [...standard, ...overlapping].filter((s) => {
          const date = localDateOf(s.start, ZONE);
          return !weekdays.includes(isoWeekday(date)) || closedDates.has(date) || s.start < at(date, start) || s.start + duration * MINUTE > at(date, end);
        });
        expect(misplaced).toEqual([]);
        const gaps = (sessions: readonly SimSession[]) => sessions.slice(1).map((s, i) => (s.start - sessions[i].start) / MINUTE);
        expect(Math.min(...gaps(standard))).toBeGreaterThanOrEqual(duration + buffer);
        expect(Math.min(...gaps(overlapping))).toBeGreaterThanOrEqual(duration - overlap);
        expect(overlapping.length).toBeGreaterThanOrEqual(standard.length);
      }),
    );
  });
});

describe('replay: a hand-worked Monday', () => {
  // One adviser, Monday 16 November 09:00-11:00: two hour-long sessions. Four customers asked a
  // week ahead for that day, each predicted 0.5, and all of them came.
  const period = replayPeriod(ZONE, at('2026-11-23', '12:00'), 1);
  const oneMorning = diary([pattern('ada', [1], '09:00', '11:00')]);
  const records = [0, 1, 2, 3].map((i) => record(at('2026-11-16', '09:00') + i * MINUTE, { customerReference: `C${i}`, arrangedAt: at('2026-11-09', '10:00') + i * MINUTE }));
  const candidate = resolvePolicy({ mode: 'risk', maxRisk: 0.3, noOverbookWithinHours: 0, pooled: false });
  // Demand 2: the four records fill the two seats twice over.
  const result = replay(oneMorning, records, period, candidate, { demand: 2, seed: 'hand', targets: [0.2, 0.3] })!;

  it('off books two and turns two away, with no extra and no collision', () => {
    expect(result).toMatchObject({ sessions: 2, seats: 2, requests: 4, showRate: 0.5 });
    expect(result.off.label).toBe('off');
    expect(result.off.figures).toMatchObject({ booked: 2, extras: 0, turnedAway: 2, collisions: 0, seen: 2, utilisation: 1, meanWaitMinutes: 0, overtimeMinutes: 0, idleAdviserMinutes: 0 });
  });

  it('risk admits an extra where both coming is 0.5 x 0.5 = 0.25 at most: at 30%, not at 20%', () => {
    expect(result.curve.map((run) => [run.label, run.figures.extras])).toEqual([
      ['risk 20%', 0],
      ['risk 30%', 2],
    ]);
    // Both extras come: the 09:00 pair sits 09:00 and 10:00, the 10:00 pair 11:00 and 12:00.
    expect(result.candidate.label).toBe('risk 30%');
    expect(result.candidate.figures).toMatchObject({
      booked: 4, extras: 2, turnedAway: 0, collisions: 2, seen: 4, seenPerWeek: 4, utilisation: 2,
      meanWaitMinutes: 60, p95WaitMinutes: 120, waitedShare: 0.75, overtimeMinutes: 120, idleAdviserMinutes: 0,
    });
  });

  it('overlap 30 minutes books a third session at 09:30 over the same customers, and the fourth is turned away', () => {
    const overlap = replay(oneMorning, records, period, resolvePolicy({ mode: 'overlap', overlapMinutes: 30 }), { demand: 2, seed: 'hand' })!;
    expect(overlap.candidate.label).toBe('overlap 30 min');
    // 09:00 at 09:00, 09:30 at 10:00 (30 minutes), 10:00 at 11:00 (60).
    expect(overlap.candidate.figures).toMatchObject({ booked: 3, extras: 0, turnedAway: 1, collisions: 0, seen: 3, utilisation: 1.5, meanWaitMinutes: 30, overtimeMinutes: 60 });
    expect(overlap.off.figures).toEqual(result.off.figures);
  });

  it('has nothing to replay when no session of the diary falls in the period', () => {
    const closed = diary(oneMorning.patterns as DiaryPattern[], { site: { id: 'site', timezone: ZONE, openingHours: null, closedDates: new Set(['2026-11-16']) } });
    expect(replay(closed, records, period, candidate, { demand: 2, seed: 'hand' })).toBeNull();
  });

  it('refuses more requests than it may replay', () => {
    const weekdays = [1, 2, 3, 4, 5];
    const busy = diary([pattern('ada', weekdays, '09:00', '17:00'), pattern('bea', weekdays, '09:00', '17:00')], { type: { code: 'SHC', durationMinutes: 15, bufferMinutes: 0, capacity: 1 } });
    // Two advisers, 32 quarter-hours a day, five days a week for 26 weeks, three requests a seat.
    expect(() => replay(busy, records, replayPeriod(ZONE, NOW, 26), candidate, { demand: 3, seed: 'big' })).toThrow(new ReplayTooLarge(3 * 2 * 32 * 5 * 26));
    expect(() => replay(busy, records, replayPeriod(ZONE, NOW, 26), candidate, { demand: 1, seed: 'big' })).not.toThrow();
  });

  it('judges fairness against the 1.25 limit', () => {
    expect(result.off.fair).toBe(true);
    const ratio = result.candidate.figures.fairness.atRiskDecileRatio;
    expect(result.candidate.fair).toBe(ratio === null || ratio <= 1.25);
  });
});

describe('replay: generated weeks', () => {
  it('off never overbooks nor collides, and every run meets the same requests', () => {
    const d = diary([pattern('ada', [1, 2, 3, 4, 5], '09:00', '16:00'), pattern('bea', [1, 3, 5], '09:30', '13:30')]);
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.double({ min: 1, max: 3, noNaN: true }), (seed, demand) => {
        const records = Array.from({ length: 60 }, (_, i) => {
          const start = at(addDays(PERIOD.from, i % 14), '09:00') + (i % 7) * HOUR;
          return record(start, { customerReference: `G${i}`, predictedShow: ((i * 37) % 100) / 100, outcome: i % 4 === 0 ? 'dna' : 'attended' });
        });
        const result = replay(d, records, PERIOD, resolvePolicy({ mode: 'risk', noOverbookWithinHours: 0 }), { demand, seed })!;
        expect(result.off.figures).toMatchObject({ extras: 0, collisions: 0 });
        for (const run of [result.off, result.candidate, ...result.curve]) expect(run.figures.booked + run.figures.turnedAway).toBe(result.requests);
        expect(result.curve.map((run) => run.policy.maxRisk)).toEqual([0.02, 0.05, 0.1, 0.15, 0.2, 0.3]);
      }),
      { numRuns: 20 },
    );
  });
});
