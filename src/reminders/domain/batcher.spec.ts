import fc from 'fast-check';
import { Batcher } from './batcher';

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Batcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const doubling = () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((i) => ({ status: 'fulfilled' as const, value: i * 2 }));
    }, 3, 5);
    return { batches, batcher };
  };

  it('a full batch goes at once, without waiting', async () => {
    const { batches, batcher } = doubling();
    const results = Promise.all([1, 2, 3].map((i) => batcher.submit(i)));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await results).toEqual([2, 4, 6]);
  });

  it('a batch that does not fill goes lingerMs after its first item', async () => {
    const { batches, batcher } = doubling();
    const first = batcher.submit(1);
    jest.advanceTimersByTime(4);
    const second = batcher.submit(2);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2]]);
    expect(await Promise.all([first, second])).toEqual([2, 4]);
  });

  it('does not wait for a batch under way before starting the next', async () => {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const batcher = new Batcher<number, number>(
      (items) => {
        batches.push(items);
        return new Promise((resolve) => release.push(() => resolve(items.map((value) => ({ status: 'fulfilled' as const, value })))));
      },
      2,
      5,
    );
    const all = [1, 2, 3, 4].map((i) => batcher.submit(i));
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    release.forEach((r) => r());
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
  });

  it("each caller gets its own item's rejection, and every caller a batch's failure", async () => {
    let fail = false;
    const batcher = new Batcher<number, number>(async (items) => {
      if (fail) throw new Error('database down');
      return items.map((i) => (i % 2 ? { status: 'fulfilled' as const, value: i } : { status: 'rejected' as const, reason: new Error(`refused ${i}`) }));
    }, 2, 5);
    expect(await Promise.allSettled([batcher.submit(1), batcher.submit(2)])).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('refused 2') },
    ]);
    fail = true;
    expect(await Promise.allSettled([batcher.submit(3), batcher.submit(5)])).toEqual([
      { status: 'rejected', reason: new Error('database down') },
      { status: 'rejected', reason: new Error('database down') },
    ]);
  });

  it('whatever the arrivals, every item is answered once with its own result, in batches of at most max', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (gaps, max) => {
        const batches: number[][] = [];
        const batcher = new Batcher<number, number>(async (items) => {
          batches.push(items);
          return items.map((i) => ({ status: 'fulfilled' as const, value: -i }));
        }, max, 5);
        const answers: number[][] = gaps.map(() => []);
        for (const [i, gap] of gaps.entries()) {
          void batcher.submit(i).then((value) => answers[i].push(value));
          jest.advanceTimersByTime(gap);
        }
        jest.advanceTimersByTime(5);
        await settle();
        expect(answers).toEqual(gaps.map((_, i) => [-i]));
        expect(batches.flat()).toEqual(gaps.map((_, i) => i));
        for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a batch of nothing', () => {
    expect(() => new Batcher(async () => [], 0, 5)).toThrow(RangeError);
  });
});
