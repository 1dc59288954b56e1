import fc from 'fast-check';
import { mergeSorted, take } from './merge';

const byValue = (a: { value: number }, b: { value: number }) => a.value - b.value;
// Streams of small numbers, so that equal items across streams are common.
const streamsArb = fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 15 }), { maxLength: 12 }).map((lists) =>
  lists.map((list, stream) => [...list].sort((a, b) => a - b).map((value, index) => ({ value, stream, index }))),
);

describe('mergeSorted', () => {
  it('gives every item once, in order, equal items in the order of their streams (a stable sort of them all)', () => {
    fc.assert(
      fc.property(streamsArb, (streams) => {
        expect([...mergeSorted(streams, byValue)]).toEqual(streams.flat().sort((a, b) => a.value - b.value || a.stream - b.stream));
      }),
    );
  });

  it('taking the first n equals the first n of the full merge, and reads no stream further than its n-th item', () => {
    fc.assert(
      fc.property(streamsArb, fc.integer({ min: 0, max: 40 }), (streams, n) => {
        const reads = streams.map(() => 0);
        const counted = streams.map((list, i) =>
          (function* () {
            for (const item of list) {
              reads[i]++;
              yield item;
            }
          })(),
        );
        expect(take(mergeSorted(counted, byValue), n)).toEqual([...mergeSorted(streams, byValue)].slice(0, n));
        // Each stream is read at most one past what was taken from it (its head waits in the heap).
        const takenFrom = streams.map((_, i) => [...mergeSorted(streams, byValue)].slice(0, n).filter((item) => item.stream === i).length);
        reads.forEach((r, i) => expect(r).toBeLessThanOrEqual(Math.min(streams[i].length, takenFrom[i] + 1)));
      }),
    );
  });

  it('merges nothing into nothing', () => {
    expect([...mergeSorted([], byValue)]).toEqual([]);
    expect([...mergeSorted([[], []], byValue)]).toEqual([]);
  });
});
