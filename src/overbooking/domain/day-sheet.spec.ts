import fc from 'fast-check';
import { COLLISION_LIKELY_AT, daySheet, helpersFor, hourSummaries, localHourStart, SheetBooking, SheetSession, SheetWindow, sessionOutlook, unscoredShowProbability } from './day-sheet';

const RUNS = { numRuns: 200 };
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const scored = (...ps: number[]): SheetBooking[] => ps.map((p) => ({ showProbability: p, showed: null }));

function session(overrides: Partial<SheetSession> = {}): SheetSession {
  const start = overrides.start ?? at('2027-06-07T09:00:00+01:00');
  return { id: 'S1', adviserId: 'A', appointmentType: 'GUIDANCE', start, end: start + HOUR, capacity: 1, bookings: [], ...overrides };
}

const window = (adviserId: string, overrides: Partial<SheetWindow> = {}): SheetWindow => ({
  adviserId,
  appointmentType: 'GUIDANCE',
  start: at('2027-06-07T09:00:00+01:00'),
  end: at('2027-06-07T17:00:00+01:00'),
  capacity: 1,
  ...overrides,
});

/** P(more than capacity come) by summing over every outcome: slow, but obviously right. */
function bruteForceOverflow(probabilities: number[], capacity: number): number {
  let total = 0;
  for (let outcome = 0; outcome < 1 << probabilities.length; outcome++) {
    let chance = 1;
    let came = 0;
    probabilities.forEach((p, i) => {
      const showed = (outcome >> i) & 1;
      chance *= showed ? p : 1 - p;
      came += showed;
    });
    if (came > capacity) total += chance;
  }
  return total;
}

describe('sessionOutlook', () => {
  it('two customers at 0.8 in a one-to-one: 1.6 expected, a collision when both come (0.64)', () => {
    const outlook = sessionOutlook(session({ bookings: scored(0.8, 0.8) }), 0.75);
    expect(outlook.expectedCustomers).toBeCloseTo(1.6, 12);
    expect(outlook.collisionProbability).toBeCloseTo(0.64, 12);
    expect(outlook.collisionLikely).toBe(true);
  });

  it('a session within its capacity can never overflow', () => {
    expect(sessionOutlook(session({ capacity: 3, bookings: scored(1, 1, 1) }), 0.75)).toEqual({ expectedCustomers: 3, collisionProbability: 0, collisionLikely: false });
  });

  it('is likely at the threshold exactly, not just below it', () => {
    // 0.5 × 0.5 = 0.25 exactly in binary floating point.
    expect(sessionOutlook(session({ bookings: scored(0.5, 0.5) }), 0.75)).toMatchObject({ collisionProbability: COLLISION_LIKELY_AT, collisionLikely: true });
    expect(sessionOutlook(session({ bookings: scored(0.5, 0.49) }), 0.75).collisionLikely).toBe(false);
  });

  it('a recorded outcome overrides the score: one who came counts 1, one who did not 0', () => {
    const bookings: SheetBooking[] = [
      { showProbability: 0.3, showed: 1 },
      { showProbability: 0.9, showed: 0 },
      { showProbability: null, showed: null },
    ];
    expect(sessionOutlook(session({ bookings }), 0.6)).toMatchObject({ expectedCustomers: 1.6, collisionProbability: 0.6 });
  });

  it('matches enumeration of every outcome, and expects the sum of the probabilities', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }), fc.integer({ min: 1, max: 6 }), (ps, capacity) => {
        const outlook = sessionOutlook(session({ capacity, bookings: scored(...ps) }), 0.75);
        expect(Math.abs(outlook.collisionProbability - bruteForceOverflow(ps, capacity))).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(outlook.expectedCustomers - ps.reduce((s, p) => s + p, 0))).toBeLessThanOrEqual(1e-9);
        expect(outlook.collisionLikely).toBe(outlook.collisionProbability >= COLLISION_LIKELY_AT);
      }),
      RUNS,
    );
  });

  it('never lowers the risk when a booking is added', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 4 }), (ps, p, capacity) => {
        const before = sessionOutlook(session({ capacity, bookings: scored(...ps) }), 0.75).collisionProbability;
        const after = sessionOutlook(session({ capacity, bookings: scored(...ps, p) }), 0.75).collisionProbability;
        expect(after).toBeGreaterThanOrEqual(before - 1e-12);
      }),
      RUNS,
    );
  });
});

describe('unscoredShowProbability', () => {
  it("is the mean of the day's scored bookings, across sessions", () => {
    const sessions = [session({ bookings: [...scored(0.9, 0.5), { showProbability: null, showed: null }] }), session({ id: 'S2', bookings: scored(0.7) })];
    expect(unscoredShowProbability(sessions, 0.75)).toBeCloseTo(0.7, 12);
  });

  it('falls back when nothing that day is scored', () => {
    expect(unscoredShowProbability([session({ bookings: [{ showProbability: null, showed: null }] })], 0.75)).toBe(0.75);
    expect(unscoredShowProbability([], 0.75)).toBe(0.75);
  });
});

describe('helpersFor', () => {
  const queued = session({ bookings: scored(0.9, 0.9) });
  const outlooks = (sessions: SheetSession[]) => sessions.map((s) => ({ session: s, outlook: sessionOutlook(s, 0.75) }));

  it('names free advisers first, then those in session with expected room, and not the full, the busy or the session’s own adviser', () => {
    const roomy = session({ id: 'B1', adviserId: 'B', bookings: scored(0.4) });
    const full = session({ id: 'C1', adviserId: 'C', bookings: scored(1) });
    const sessions = [queued, roomy, full];
    const windows = [window('A'), window('B'), window('C'), window('D'), window('E', { appointmentType: 'OTHER' }), window('F', { start: at('2027-06-07T13:00:00+01:00') })];
    expect(helpersFor(queued, outlooks(sessions), windows)).toEqual([
      { adviserId: 'D', inSession: false, expectedSpare: 1 },
      { adviserId: 'B', inSession: true, expectedSpare: expect.closeTo(0.6, 12) },
    ]);
  });

  it("judges a helper by the fullest of their sessions overlapping the queue, of any type", () => {
    const early = session({ id: 'B1', adviserId: 'B', appointmentType: 'OTHER', capacity: 4, end: queued.start + 30 * 60_000, bookings: scored(0.5) });
    const late = session({ id: 'B2', adviserId: 'B', appointmentType: 'OTHER', capacity: 1, start: queued.start + 30 * 60_000, bookings: scored(0.75) });
    expect(helpersFor(queued, outlooks([queued, early, late]), [window('B')])).toEqual([{ adviserId: 'B', inSession: true, expectedSpare: 0.25 }]);
  });

  it('lists an adviser once however many windows they have', () => {
    const windows = [window('B', { end: at('2027-06-07T09:30:00+01:00') }), window('B', { start: at('2027-06-07T09:30:00+01:00') })];
    expect(helpersFor(queued, outlooks([queued]), windows)).toHaveLength(1);
  });
});

describe('localHourStart', () => {
  it('is the start of the hour on the site’s clocks, not the server’s nor UTC’s', () => {
    expect(localHourStart(at('2027-06-07T09:45:12.5+01:00'), 'Europe/London')).toBe(at('2027-06-07T09:00:00+01:00'));
    expect(localHourStart(at('2027-06-07T09:45:00+05:30'), 'Asia/Kolkata')).toBe(at('2027-06-07T09:00:00+05:30'));
  });

  it('keeps the hour repeated when the clocks go back as two hours', () => {
    const first = localHourStart(at('2027-10-31T01:30:00+01:00'), 'Europe/London');
    const second = localHourStart(at('2027-10-31T01:30:00+00:00'), 'Europe/London');
    expect([first, second]).toEqual([at('2027-10-31T01:00:00+01:00'), at('2027-10-31T01:00:00+00:00')]);
  });

  it('is on the hour, at or before the instant, within the hour, for any instant and zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2028-12-31T00:00:00Z') }), fc.constantFrom('Europe/London', 'Asia/Kolkata', 'America/St_Johns', 'UTC'), (instant, zone) => {
        const start = localHourStart(instant, zone);
        expect(start).toBeLessThanOrEqual(instant);
        expect(instant - start).toBeLessThan(HOUR);
        expect(localHourStart(start, zone)).toBe(start);
      }),
      RUNS,
    );
  });
});

describe('daySheet', () => {
  it('counts each session in the local hour it starts in, and totals the day', () => {
    const nine = session({ id: 'S1', bookings: scored(0.8, 0.8) });
    const nineThirty = session({ id: 'S2', adviserId: 'B', start: nine.start + 30 * 60_000, end: nine.start + 90 * 60_000, capacity: 2, bookings: scored(0.5) });
    const eleven = session({ id: 'S3', start: nine.start + 2 * HOUR, end: nine.start + 3 * HOUR, bookings: [{ showProbability: null, showed: null }] });
    const sheet = daySheet({ zone: 'Europe/London', sessions: [eleven, nineThirty, nine], windows: [window('A'), window('B', { capacity: 2 })], fallbackShowProbability: 0.75 });
    expect(sheet.sessions.map((s) => s.session.id)).toEqual(['S1', 'S2', 'S3']);
    expect(sheet.unscoredShowProbability).toBeCloseTo(0.7, 12);
    expect(sheet.hours.map((h) => [h.start, h.sessions, h.capacity, h.booked, h.collisionsLikely])).toEqual([
      [at('2027-06-07T09:00:00+01:00'), 2, 3, 3, 1],
      [at('2027-06-07T11:00:00+01:00'), 1, 1, 1, 0],
    ]);
    expect(sheet.hours[0].expectedCustomers).toBeCloseTo(2.1, 12);
    expect(sheet.totals).toMatchObject({ sessions: 3, capacity: 4, booked: 4, collisionsLikely: 1 });
    expect(sheet.totals.expectedCustomers).toBeCloseTo(2.8, 12);
    // B's group session expects 0.5 of 2 seats.
    expect(sheet.sessions[0].helpers).toEqual([{ adviserId: 'B', inSession: true, expectedSpare: 1.5 }]);
    expect(sheet.sessions[1].helpers).toEqual([]);
  });

  it("reports one type's sessions, but judges helpers by everything they have on", () => {
    const queued = session({ id: 'S1', bookings: scored(0.9, 0.9) });
    const other = session({ id: 'S2', adviserId: 'B', appointmentType: 'OTHER', bookings: scored(1) });
    const sheet = daySheet({ zone: 'Europe/London', sessions: [queued, other], windows: [window('B')], fallbackShowProbability: 0.75, appointmentType: 'GUIDANCE' });
    expect(sheet.sessions.map((s) => s.session.id)).toEqual(['S1']);
    expect(sheet.sessions[0].helpers).toEqual([]);
    expect(sheet.totals).toMatchObject({ sessions: 1, booked: 2 });
  });

  it('adds up: the totals are the sums of the hours and of the sessions', () => {
    const arbitrarySession = fc.record({
      startHour: fc.integer({ min: 0, max: 23 }),
      capacity: fc.integer({ min: 1, max: 3 }),
      ps: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 5 }),
      adviser: fc.constantFrom('A', 'B', 'C'),
    });
    fc.assert(
      fc.property(fc.array(arbitrarySession, { maxLength: 12 }), (specs) => {
        const day = at('2027-10-31T00:00:00+01:00');
        const sessions = specs.map((s, i) =>
          session({ id: `S${i}`, adviserId: s.adviser, start: day + s.startHour * HOUR, end: day + s.startHour * HOUR + HOUR, capacity: s.capacity, bookings: s.ps.map((p) => ({ showProbability: p, showed: null })) }),
        );
        const sheet = daySheet({ zone: 'Europe/London', sessions, windows: [], fallbackShowProbability: 0.75 });
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(sum(sheet.hours.map((h) => h.sessions))).toBe(sheet.totals.sessions);
        expect(sum(sheet.hours.map((h) => h.booked))).toBe(sheet.totals.booked);
        expect(sum(sheet.hours.map((h) => h.collisionsLikely))).toBe(sheet.totals.collisionsLikely);
        expect(Math.abs(sum(sheet.hours.map((h) => h.expectedCustomers)) - sheet.totals.expectedCustomers)).toBeLessThan(1e-9);
        expect(Math.abs(sum(sheet.sessions.map((s) => s.outlook.expectedCustomers)) - sheet.totals.expectedCustomers)).toBeLessThan(1e-9);
        // The 25-hour day: hours are distinct instants, in order.
        expect(new Set(sheet.hours.map((h) => h.start)).size).toBe(sheet.hours.length);
        expect(sheet.hours.map((h) => h.start)).toEqual([...sheet.hours.map((h) => h.start)].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });

  it('hourSummaries leaves out hours with no session', () => {
    expect(hourSummaries([], 'Europe/London')).toEqual([]);
  });
});
