import fc from 'fast-check';
import { decideAdmission, NO_OVERBOOKING, remainingSeats, SessionLoad } from './admission';

const loadArb = fc.record({ capacity: fc.integer({ min: 1, max: 50 }), booked: fc.integer({ min: 0, max: 60 }), held: fc.integer({ min: 0, max: 10 }) });
const policyArb = fc.record({ extraSeats: fc.integer({ min: 0, max: 5 }) });
const RUNS = { numRuns: 500 };

describe('remainingSeats', () => {
  it.each<[SessionLoad, number, number]>([
    [{ capacity: 1, booked: 0, held: 0 }, 0, 1],
    [{ capacity: 1, booked: 1, held: 0 }, 0, 0],
    [{ capacity: 1, booked: 0, held: 1 }, 0, 0],
    [{ capacity: 10, booked: 6, held: 3 }, 0, 1],
    [{ capacity: 10, booked: 12, held: 0 }, 0, 0], // already over: never negative
    [{ capacity: 10, booked: 10, held: 0 }, 2, 2],
    [{ capacity: 10, booked: 11, held: 1 }, 2, 0],
  ])('%j with %i extra seats leaves %i', (load, extraSeats, expected) => {
    expect(remainingSeats(load, { extraSeats })).toBe(expected);
  });

  it('defaults to no overbooking', () => {
    expect(NO_OVERBOOKING).toEqual({ extraSeats: 0 });
    expect(remainingSeats({ capacity: 3, booked: 1, held: 1 })).toBe(1);
  });

  it('is the seats below capacity + extraSeats not yet taken, never negative', () => {
    fc.assert(
      fc.property(loadArb, policyArb, (load, policy) => {
        const taken = load.booked + load.held;
        const limit = load.capacity + policy.extraSeats;
        expect(remainingSeats(load, policy)).toBe(taken >= limit ? 0 : limit - taken);
      }),
      RUNS,
    );
  });
});

describe('decideAdmission', () => {
  it.each<[SessionLoad, number, ReturnType<typeof decideAdmission>]>([
    [{ capacity: 1, booked: 0, held: 0 }, 0, { admit: true, overbooked: false }],
    [{ capacity: 1, booked: 1, held: 0 }, 0, { admit: false, reason: 'FULL' }],
    [{ capacity: 5, booked: 3, held: 1 }, 0, { admit: true, overbooked: false }], // takes the last seat
    [{ capacity: 5, booked: 4, held: 1 }, 0, { admit: false, reason: 'FULL' }],
    [{ capacity: 5, booked: 5, held: 0 }, 1, { admit: true, overbooked: true }],
    [{ capacity: 5, booked: 4, held: 0 }, 1, { admit: true, overbooked: false }],
    [{ capacity: 5, booked: 5, held: 1 }, 1, { admit: false, reason: 'FULL' }],
  ])('%j with %i extra seats: %j', (load, extraSeats, expected) => {
    expect(decideAdmission(load, { extraSeats })).toEqual(expected);
  });

  it('admits exactly when at least one seat remains', () => {
    fc.assert(
      fc.property(loadArb, policyArb, (load, policy) => {
        const free = load.capacity + policy.extraSeats - load.booked - load.held;
        expect(decideAdmission(load, policy).admit).toBe(free >= 1);
        expect(decideAdmission(load, policy).admit).toBe(remainingSeats(load, policy) >= 1);
      }),
      RUNS,
    );
  });

  it('flags as overbooked exactly the admissions that take the session beyond its capacity', () => {
    fc.assert(
      fc.property(loadArb, policyArb, (load, policy) => {
        const decision = decideAdmission(load, policy);
        if (decision.admit) expect(decision.overbooked).toBe(load.booked + load.held + 1 > load.capacity);
        else expect(decision).toEqual({ admit: false, reason: 'FULL' });
      }),
      RUNS,
    );
  });

  it('never overbooks without a policy', () => {
    fc.assert(
      fc.property(loadArb, (load) => {
        const decision = decideAdmission(load);
        if (decision.admit) {
          expect(decision.overbooked).toBe(false);
          expect(load.booked + load.held + 1).toBeLessThanOrEqual(load.capacity);
        }
      }),
      RUNS,
    );
  });

  it('admitting one after another never goes beyond capacity + extraSeats, and fills it exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 5 }),
        policyArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }),
        (capacity, booked, held, policy, asHold) => {
          const load = { capacity, booked, held };
          const limit = capacity + policy.extraSeats;
          let overbookings = 0;
          for (const hold of asHold) {
            const decision = decideAdmission(load, policy);
            if (!decision.admit) continue;
            if (decision.overbooked) overbookings++;
            if (hold) load.held++;
            else load.booked++;
          }
          const before = booked + held;
          const after = load.booked + load.held;
          // Never more than the limit (unless it was already over), and full if there were enough requests.
          expect(after).toBe(before >= limit ? before : Math.min(limit, before + asHold.length));
          // Every admission above capacity, and only those, was flagged.
          const admittedAbove = Math.max(0, after - Math.max(before, capacity));
          expect(overbookings).toBe(after > before ? admittedAbove : 0);
        },
      ),
      RUNS,
    );
  });
});
