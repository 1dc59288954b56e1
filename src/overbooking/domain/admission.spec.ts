import fc from 'fast-check';
import { decideAdmission } from '../../bookings/domain/admission';
import { MINUTE, formatInstant, localToInstant, parseInstant } from '../../common/time/local-time';
import { admissionRisk, decideOverbooking, OverbookingRequest, overflowRisk, overlapAllowed, SessionLoad, SessionOutlook } from './admission';
import { OVERBOOKING_MODES, OverbookingPolicyInput, POLICY_OFF, resolvePolicy } from './policy';
import { tailAbove } from './poisson-binomial';

const RUNS = { numRuns: 300 };
const RISK = { mode: 'risk', maxRisk: 0.25, maxExtraPerSession: 1, maxExtraPerDay: 5, noOverbookWithinHours: 24 } as const;

/** A full one-seat session whose customer and candidate toss a coin each: a collision risk of exactly 0.25. */
function request(policy: Partial<OverbookingPolicyInput> = {}, change: Partial<Omit<OverbookingRequest, 'policy'>> = {}): OverbookingRequest {
  return {
    policy: resolvePolicy({ ...RISK, ...policy }),
    session: { capacity: 1, customers: 1 },
    candidate: 0.5,
    showRate: 0.5,
    extrasToday: 0,
    hoursUntilStart: 48,
    lastBookingOverbooked: false,
    ...change,
  };
}

const decide = (policy: Partial<OverbookingPolicyInput> = {}, change: Partial<Omit<OverbookingRequest, 'policy'>> = {}) => decideOverbooking(request(policy, change));

const probability = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
const load = (maxCapacity: number, maxCustomers: number): fc.Arbitrary<SessionLoad> =>
  fc.record({ capacity: fc.integer({ min: 1, max: maxCapacity }), customers: fc.integer({ min: 0, max: maxCustomers }) });
const outlook = (maxCapacity: number, maxCustomers: number): fc.Arbitrary<SessionOutlook> =>
  fc.record({ capacity: fc.integer({ min: 1, max: maxCapacity }), showProbabilities: fc.array(probability, { maxLength: maxCustomers }) });
const policyArb = fc.record({
  mode: fc.constantFrom(...OVERBOOKING_MODES),
  maxRisk: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
  maxExtraPerSession: fc.integer({ min: 0, max: 10 }),
  maxExtraPerDay: fc.integer({ min: 0, max: 50 }),
  noOverbookWithinHours: fc.integer({ min: 0, max: 168 }),
  pooled: fc.boolean(),
});
const requestArb = (modes: readonly (typeof OVERBOOKING_MODES)[number][] = OVERBOOKING_MODES): fc.Arbitrary<OverbookingRequest> =>
  fc.record({
    policy: policyArb.map((p) => resolvePolicy(p)).filter((p) => modes.includes(p.mode)),
    session: load(6, 10),
    candidate: probability,
    showRate: probability,
    extrasToday: fc.integer({ min: 0, max: 60 }),
    hoursUntilStart: fc.double({ min: -1, max: 200, noNaN: true }),
    lastBookingOverbooked: fc.boolean(),
    pool: fc.array(load(3, 5), { maxLength: 3 }),
  });

describe('decideOverbooking', () => {
  describe('a session with a free seat', () => {
    it.each(OVERBOOKING_MODES)('admits without overbooking in %s mode, whatever the caps, window, history and risk', (mode) => {
      const tight = { mode, maxExtraPerSession: 0, maxExtraPerDay: 0, noOverbookWithinHours: 168, maxRisk: 0.001 };
      expect(decide(tight, { session: { capacity: 2, customers: 1 }, candidate: 1, showRate: 1, extrasToday: 50, hoursUntilStart: 0, lastBookingOverbooked: true })).toEqual({ admit: true, overbooked: false });
      expect(decide(tight, { session: { capacity: 1, customers: 0 } })).toEqual({ admit: true, overbooked: false });
    });
  });

  describe('off and overlap', () => {
    it.each(['off', 'overlap'] as const)('%s refuses a full session, however safe an extra would be', (mode) => {
      expect(decide({ mode, maxRisk: 0.5 }, { showRate: 0, candidate: 0 })).toEqual({ admit: false, reason: 'FULL' });
    });

    it.each(['off', 'overlap'] as const)('%s decides exactly as decideAdmission does today, for any load', (mode) => {
      fc.assert(
        fc.property(
          fc.record({ capacity: fc.integer({ min: 1, max: 50 }), booked: fc.integer({ min: 0, max: 60 }), held: fc.integer({ min: 0, max: 10 }) }),
          requestArb([mode]),
          (seats, other) => {
            expect(decideOverbooking({ ...other, session: { capacity: seats.capacity, customers: seats.booked + seats.held } })).toEqual(decideAdmission(seats));
          },
        ),
        RUNS,
      );
    });
  });

  describe('risk', () => {
    it('admits an extra whose risk is exactly at the target, with that risk', () => {
      expect(decide({ maxRisk: 0.25 })).toEqual({ admit: true, overbooked: true, risk: 0.25 });
    });

    it('refuses one just above the target, saying what the risk would have been', () => {
      expect(decide({ maxRisk: 0.2499999 })).toEqual({ admit: false, reason: 'RISK', risk: 0.25 });
      const refused = decide({ maxRisk: 0.25 }, { candidate: 0.5000001 });
      expect(refused).toMatchObject({ admit: false, reason: 'RISK' });
      expect((refused as { risk: number }).risk).toBeGreaterThan(0.25);
    });

    it('admits at a target that floating point overshoots by an ulp (0.1 × 0.2 = 0.020000000000000004)', () => {
      const tight = { showRate: 0.1, candidate: 0.2 };
      expect(decide({ maxRisk: 0.02 }, tight)).toMatchObject({ admit: true, overbooked: true });
      expect(decide({ maxRisk: 0.0199 }, tight)).toMatchObject({ admit: false, reason: 'RISK' });
    });

    it('counts everybody in the session at the show rate, holds included, and the candidate at their own', () => {
      // Two seats, three expected: more than two come only if all three do.
      const decision = decide({ maxRisk: 0.5, maxExtraPerSession: 2 }, { session: { capacity: 2, customers: 2 }, showRate: 0.8, candidate: 0.5 });
      expect(decision).toMatchObject({ admit: true, overbooked: true });
      expect((decision as { risk: number }).risk).toBeCloseTo(0.8 * 0.8 * 0.5, 15);
    });

    it('refuses at the session cap and admits just below it', () => {
      expect(decide({ maxExtraPerSession: 0 })).toEqual({ admit: false, reason: 'CAP_SESSION' });
      const oneExtraIn = { session: { capacity: 1, customers: 2 }, showRate: 0.3, candidate: 0.3 };
      expect(decide({ maxExtraPerSession: 1 }, oneExtraIn)).toEqual({ admit: false, reason: 'CAP_SESSION' });
      expect(decide({ maxExtraPerSession: 2 }, oneExtraIn)).toMatchObject({ admit: true, overbooked: true });
    });

    it('refuses at the day cap and admits just below it', () => {
      expect(decide({ maxExtraPerDay: 5 }, { extrasToday: 4 })).toMatchObject({ admit: true, overbooked: true });
      expect(decide({ maxExtraPerDay: 5 }, { extrasToday: 5 })).toEqual({ admit: false, reason: 'CAP_DAY' });
      expect(decide({ maxExtraPerDay: 0 })).toEqual({ admit: false, reason: 'CAP_DAY' });
    });

    it('refuses inside the no-overbooking window and admits at its edge', () => {
      expect(decide({ noOverbookWithinHours: 24 }, { hoursUntilStart: 24 })).toMatchObject({ admit: true, overbooked: true });
      expect(decide({ noOverbookWithinHours: 24 }, { hoursUntilStart: 23.99 })).toEqual({ admit: false, reason: 'TOO_CLOSE' });
      expect(decide({ noOverbookWithinHours: 0 }, { hoursUntilStart: 0 })).toMatchObject({ admit: true, overbooked: true });
    });

    it('never places a customer as an extra twice running', () => {
      expect(decide({}, { lastBookingOverbooked: true })).toEqual({ admit: false, reason: 'REPEAT_EXTRA' });
      fc.assert(
        fc.property(requestArb(), fc.array(fc.boolean(), { maxLength: 30 }), (req, full) => {
          // One customer books again and again, into a full session or a free one as it happens.
          let last = false;
          for (const isFull of full) {
            const session = { capacity: 1, customers: isFull ? 1 : 0 };
            const decision = decideOverbooking({ ...req, session, lastBookingOverbooked: last });
            if (decision.admit && decision.overbooked) expect(last).toBe(false);
            if (decision.admit) last = decision.overbooked;
          }
        }),
        RUNS,
      );
    });

    it('gives the caps, then the window, then the customer\'s last booking, then the risk as the reason', () => {
      const everything = { maxExtraPerSession: 0, maxExtraPerDay: 0, noOverbookWithinHours: 24, maxRisk: 0.01 };
      const all = { extrasToday: 9, hoursUntilStart: 1, lastBookingOverbooked: true };
      expect(decide(everything, all)).toMatchObject({ reason: 'CAP_SESSION' });
      expect(decide({ ...everything, maxExtraPerSession: 1 }, all)).toMatchObject({ reason: 'CAP_DAY' });
      expect(decide({ ...everything, maxExtraPerSession: 1, maxExtraPerDay: 10 }, all)).toMatchObject({ reason: 'TOO_CLOSE' });
      expect(decide({ ...everything, maxExtraPerSession: 1, maxExtraPerDay: 10 }, { ...all, hoursUntilStart: 48 })).toMatchObject({ reason: 'REPEAT_EXTRA' });
      expect(decide({ ...everything, maxExtraPerSession: 1, maxExtraPerDay: 10 })).toMatchObject({ reason: 'RISK' });
    });
  });

  describe('pooled', () => {
    const busy = { showRate: 0.9, candidate: 0.9 };

    it('admits where the session alone would not, when another adviser in the hour has slack', () => {
      const slack = [{ capacity: 1, customers: 0 }];
      expect(decide({ maxRisk: 0.1, pooled: false }, { ...busy, pool: slack })).toEqual({ admit: false, reason: 'RISK', risk: expect.closeTo(0.81, 15) });
      expect(decide({ maxRisk: 0.1, pooled: true }, { ...busy, pool: slack })).toEqual({ admit: true, overbooked: true, risk: 0 });
    });

    it('refuses when the other advisers are as busy (worked by hand)', () => {
      // Three seats across the hour, four expected: a queue only if all four come.
      const pool = [{ capacity: 2, customers: 2 }];
      const risk = 0.9 ** 4;
      expect(decide({ maxRisk: 0.6562, pooled: true }, { ...busy, pool })).toMatchObject({ admit: true, overbooked: true });
      expect(decide({ maxRisk: 0.4, pooled: true }, { ...busy, pool })).toEqual({ admit: false, reason: 'RISK', risk: expect.closeTo(risk, 15) });
    });

    it('is the single-session test without a pool', () => {
      fc.assert(
        fc.property(requestArb(['risk']), (req) => {
          const alone = { ...req, pool: undefined };
          expect(decideOverbooking({ ...alone, policy: { ...req.policy, pooled: true } })).toEqual(decideOverbooking({ ...alone, policy: { ...req.policy, pooled: false } }));
        }),
        RUNS,
      );
    });

    it('never refuses what the session alone admits when the pool is only free time', () => {
      fc.assert(
        fc.property(requestArb(['risk']), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }), (req, free) => {
          const pool = free.map((capacity) => ({ capacity, customers: 0 }));
          const alone = decideOverbooking({ ...req, policy: { ...req.policy, pooled: false } });
          const pooled = decideOverbooking({ ...req, pool, policy: { ...req.policy, pooled: true } });
          if (alone.admit) expect(pooled.admit).toBe(true);
        }),
        RUNS,
      );
    });
  });

  describe('for any request', () => {
    it('admits beyond capacity only in risk mode, and only at or under the target, reporting the exact risk', () => {
      fc.assert(
        fc.property(requestArb(), (req) => {
          const decision = decideOverbooking(req);
          const sessions = [req.session, ...(req.policy.pooled ? req.pool! : [])];
          const everybody = sessions.map((s, i) => ({ capacity: s.capacity, showProbabilities: [...new Array<number>(s.customers).fill(req.showRate), ...(i === 0 ? [req.candidate] : [])] }));
          if (decision.admit && decision.overbooked) {
            expect(req.policy.mode).toBe('risk');
            expect(decision.risk).toBe(admissionRisk(sessions, req.candidate, req.showRate));
            expect(decision.risk).toBeCloseTo(overflowRisk(everybody), 12);
            expect(decision.risk).toBeLessThanOrEqual(req.policy.maxRisk + 1e-12);
          }
          if (!decision.admit && decision.reason === 'RISK') expect(decision.risk).toBeGreaterThan(req.policy.maxRisk);
          expect(decision.admit && !decision.overbooked).toBe(req.session.customers < req.session.capacity);
        }),
        RUNS,
      );
    });

    it('admits a candidate likelier to miss wherever it admits one likelier to come', () => {
      fc.assert(
        fc.property(requestArb(['risk']), probability, (req, lower) => {
          if (decideOverbooking(req).admit) expect(decideOverbooking({ ...req, candidate: Math.min(lower, req.candidate) }).admit).toBe(true);
        }),
        RUNS,
      );
    });

    it('fills a session one request after another to no more than capacity + maxExtraPerSession, nor the day beyond maxExtraPerDay', () => {
      fc.assert(
        fc.property(requestArb(['risk']), fc.array(probability, { maxLength: 30 }), (req, candidates) => {
          const session = { ...req.session };
          const before = session.customers;
          let extrasToday = req.extrasToday;
          for (const candidate of candidates) {
            const decision = decideOverbooking({ ...req, session: { ...session }, candidate, extrasToday });
            if (!decision.admit) continue;
            session.customers++;
            if (decision.overbooked) extrasToday++;
          }
          expect(session.customers).toBeLessThanOrEqual(Math.max(before, session.capacity + req.policy.maxExtraPerSession));
          expect(extrasToday).toBeLessThanOrEqual(Math.max(req.extrasToday, req.policy.maxExtraPerDay));
        }),
        RUNS,
      );
    });
  });
});

describe('overflowRisk', () => {
  it('is the tail above the sessions’ seats of everybody in them', () => {
    fc.assert(
      fc.property(fc.array(outlook(4, 6), { maxLength: 4 }), (sessions) => {
        const seats = sessions.reduce((sum, s) => sum + s.capacity, 0);
        expect(overflowRisk(sessions)).toBe(tailAbove(sessions.flatMap((s) => s.showProbabilities), seats));
      }),
      RUNS,
    );
  });

  it('is nil with nobody expected', () => {
    expect(overflowRisk([])).toBe(0);
    expect(overflowRisk([{ capacity: 1, showProbabilities: [] }])).toBe(0);
  });
});

describe('overlapAllowed', () => {
  const overlap15 = resolvePolicy({ mode: 'overlap', overlapMinutes: 15 });
  const end = Date.parse('2027-01-04T10:00:00Z');
  const at = (minutesFromEnd: number) => end + minutesFromEnd * MINUTE;

  it('lets the next start up to overlapMinutes before the previous ends, and no earlier', () => {
    expect(overlapAllowed(overlap15, end, at(-15), 60)).toBe(true);
    expect(overlapAllowed(overlap15, end, at(-10), 60)).toBe(true);
    expect(overlapAllowed(overlap15, end, at(-16), 60)).toBe(false);
    expect(overlapAllowed(overlap15, end, end - 15 * MINUTE - 1, 60)).toBe(false);
    expect(overlapAllowed(overlap15, end, at(0), 60)).toBe(true);
    expect(overlapAllowed(overlap15, end, at(30), 60)).toBe(true);
  });

  it.each(['off', 'risk'] as const)('in %s mode allows no overlap at all, whatever overlapMinutes says', (mode) => {
    const policy = resolvePolicy({ mode, overlapMinutes: 30 });
    expect(overlapAllowed(policy, end, at(-5), 60)).toBe(false);
    expect(overlapAllowed(policy, end, at(0), 60)).toBe(true);
    expect(overlapAllowed(POLICY_OFF, end, at(-1), 60)).toBe(false);
  });

  it('never lets the next start with or before the previous, even under a policy longer than the appointment', () => {
    const overlap60 = resolvePolicy({ mode: 'overlap', overlapMinutes: 60 });
    expect(overlapAllowed(overlap60, end, at(-30), 30)).toBe(false);
    expect(overlapAllowed(overlap60, end, at(-29), 30)).toBe(true);
    expect(overlapAllowed(overlap60, end, at(-45), 30)).toBe(false);
  });

  it('never allows more overlap than the policy, nor as much as the appointment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 5, max: 240 }), fc.integer({ min: -300, max: 60 }), (minutes, duration, offset) => {
        const allowed = overlapAllowed(resolvePolicy({ mode: 'overlap', overlapMinutes: minutes }), end, at(offset), duration);
        expect(allowed).toBe(-offset <= minutes && -offset < duration);
      }),
      RUNS,
    );
  });

  describe('on the days the clocks change (Europe/London)', () => {
    const zone = 'Europe/London';

    it('in spring, an appointment across the skipped hour overlaps by real minutes, not wall-clock ones', () => {
      // 00:30 GMT for an hour ends at 01:30 UTC, which the clock shows as 02:30 BST.
      const previousEnd = localToInstant(zone, '2027-03-28', '00:30') + 60 * MINUTE;
      expect(formatInstant(previousEnd, zone)).toBe('2027-03-28T02:30:00+01:00');
      // 02:15 BST is 45 minutes after the start, though 1 h 45 on the wall: 15 minutes of overlap.
      expect(overlapAllowed(overlap15, previousEnd, localToInstant(zone, '2027-03-28', '02:15'), 60)).toBe(true);
      expect(overlapAllowed(overlap15, previousEnd, localToInstant(zone, '2027-03-28', '02:10'), 60)).toBe(false);
    });

    it('in autumn, across the repeated hour, by real minutes however the wall clock reads', () => {
      // 01:30 BST for an hour ends at 01:30 GMT: the same time on the wall.
      const previousStart = localToInstant(zone, '2027-10-31', '01:30');
      const previousEnd = previousStart + 60 * MINUTE;
      expect(formatInstant(previousStart, zone)).toBe('2027-10-31T01:30:00+01:00');
      expect(formatInstant(previousEnd, zone)).toBe('2027-10-31T01:30:00+00:00');
      expect(overlapAllowed(overlap15, previousEnd, parseInstant('2027-10-31T01:15:00+00:00')!, 60)).toBe(true);
      expect(overlapAllowed(overlap15, previousEnd, parseInstant('2027-10-31T01:10:00+00:00')!, 60)).toBe(false);
      // The first 01:45 of the night (BST) is 45 minutes before that end.
      expect(overlapAllowed(overlap15, previousEnd, localToInstant(zone, '2027-10-31', '01:45'), 60)).toBe(false);
    });

    it('in business hours on a changeover day, as on any other', () => {
      for (const date of ['2027-03-28', '2027-10-31']) {
        const previousEnd = localToInstant(zone, date, '10:00');
        expect(overlapAllowed(overlap15, previousEnd, localToInstant(zone, date, '09:45'), 60)).toBe(true);
        expect(overlapAllowed(overlap15, previousEnd, localToInstant(zone, date, '09:40'), 60)).toBe(false);
      }
    });
  });
});
