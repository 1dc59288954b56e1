import fc from 'fast-check';
import { Arrival, queueOrder } from './fairness';

const RUNS = { numRuns: 300 };

describe('queueOrder', () => {
  const arrival = (arrivedAt: number, lot: number, showProbability: number) => ({ arrivedAt, lot, showProbability });
  const arrivals = fc.array(
    fc.record({ arrivedAt: fc.integer({ min: 0, max: 20 }), lot: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), showProbability: fc.double({ min: 0, max: 1, noNaN: true }) }),
    { maxLength: 12 },
  );

  it('sees the first to arrive first, and settles a tie by lot', () => {
    const early = arrival(9, 0.9, 0.95);
    const tieLow = arrival(10, 0.2, 0.3);
    const tieHigh = arrival(10, 0.7, 0.99);
    expect(queueOrder([tieHigh, tieLow, early])).toEqual([early, tieLow, tieHigh]);
  });

  it('leaves what it is given untouched', () => {
    const given = [arrival(2, 0, 0.5), arrival(1, 0, 0.5)];
    queueOrder(given);
    expect(given.map((a) => a.arrivedAt)).toEqual([2, 1]);
  });

  it('orders by arrival, then lot, and the same whatever order it was given', () => {
    fc.assert(
      fc.property(arrivals.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))), ([list, shuffled]) => {
        const order = queueOrder(list);
        const inOrder = (a: Arrival, b: Arrival) => a.arrivedAt < b.arrivedAt || (a.arrivedAt === b.arrivedAt && a.lot <= b.lot);
        expect(order.every((a, i) => i === 0 || inOrder(order[i - 1], a))).toBe(true);
        expect(queueOrder(shuffled).map(({ arrivedAt, lot }) => [arrivedAt, lot])).toEqual(order.map(({ arrivedAt, lot }) => [arrivedAt, lot]));
      }),
      RUNS,
    );
  });

  it('is not moved by anybody’s predicted show probability', () => {
    fc.assert(
      fc.property(arrivals, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), (list, other) => {
        const rescored = list.map((a, i) => ({ ...a, showProbability: other[i] }));
        const positions = (queue: typeof list) => queue.map((a) => list.findIndex((b) => b.arrivedAt === a.arrivedAt && b.lot === a.lot));
        expect(positions(queueOrder(rescored))).toEqual(positions(queueOrder(list)));
      }),
      RUNS,
    );
  });
});
