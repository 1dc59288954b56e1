import fc from 'fast-check';
import { decideAdmission, remainingSeats, SessionLoad } from './admission';

const loadArb = fc.record({ capacity: fc.integer({ min: 1, max: 50 }), booked: fc.integer({ min: 0, max: 60 }), held: fc.integer({ min: 0, max: 10 }) });
const RUNS = { numRuns: 500 };

describe('remainingSeats', () => {
  it.each<[SessionLoad, number]>([
    [{ capacity: 1, booked: 0, held: 0 }, 1],
    [{ capacity: 1, booked: 1, held: 0 }, 0],
    [{ capacity: 1, booked: 0, held: 1 }, 0],
    [{ capacity: 10, booked: 6, held: 3 }, 1],
    [{ capacity: 10, booked: 12, held: 0 }, 0], // over capacity with extras: never negative
  ])('%j leaves %i', (load, expected) => {
    expect(remainingSeats(load)).toBe(expected);
  });

  it('is the seats below capacity not yet taken, never negative', () => {
    fc.assert(
      fc.property(loadArb, (load) => {
        const taken = load.booked + load.held;
        expect(remainingSeats(load)).toBe(taken >= load.capacity ? 0 : load.capacity - taken);
      }),
      RUNS,
    );
  });
});

describe('decideAdmission', () => {
  it.each<[SessionLoad, ReturnType<typeof decideAdmission>]>([
    [{ capacity: 1, booked: 0, held: 0 }, { admit: true, overbooked: false }],
    [{ capacity: 1, booked: 1, held: 0 }, { admit: false, reason: 'FULL' }],
    [{ capacity: 5, booked: 3, held: 1 }, { admit: true, overbooked: false }], // takes the last seat
    [{ capacity: 5, booked: 4, held: 1 }, { admit: false, reason: 'FULL' }],
  ])('%j: %j', (load, expected) => {
    expect(decideAdmission(load)).toEqual(expected);
  });

  it('admitting one after another never goes beyond capacity, and fills it exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }),
        (capacity, booked, held, asHold) => {
          const load = { capacity, booked, held };
          for (const hold of asHold) {
            if (!decideAdmission(load).admit) continue;
            if (hold) load.held++;
            else load.booked++;
          }
          const before = booked + held;
          // Never beyond capacity (unless extras had already taken it there), and full if there were enough requests.
          expect(load.booked + load.held).toBe(before >= capacity ? before : Math.min(capacity, before + asHold.length));
        },
      ),
      RUNS,
    );
  });
});
