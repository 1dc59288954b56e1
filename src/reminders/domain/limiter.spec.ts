import fc from 'fast-check';
import { Limiter } from './limiter';

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('Limiter', () => {
  /** Tasks that finish when told to, recording how many ran at once. */
  const controlled = () => {
    const started: number[] = [];
    const finish = new Map<number, (ok: boolean) => void>();
    let running = 0;
    let peak = 0;
    const task = (i: number) => () =>
      new Promise<number>((resolve, reject) => {
        started.push(i);
        peak = Math.max(peak, ++running);
        finish.set(i, (ok) => {
          running--;
          if (ok) resolve(i);
          else reject(new Error(`task ${i} failed`));
        });
      });
    return { started, finish, task, peak: () => peak };
  };

  it('lets max calls through and starts the next, in order, as each finishes', async () => {
    const limiter = new Limiter(2);
    const { started, finish, task } = controlled();
    const results = [1, 2, 3, 4].map((i) => limiter.run(task(i)));
    await settle();
    expect(started).toEqual([1, 2]);
    finish.get(2)!(true);
    await settle();
    expect(started).toEqual([1, 2, 3]);
    finish.get(1)!(true);
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    finish.get(3)!(true);
    finish.get(4)!(true);
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
  });

  it('a failed call gives its turn up too, and its caller gets the error', async () => {
    const limiter = new Limiter(1);
    const { started, finish, task } = controlled();
    const first = limiter.run(task(1));
    const second = limiter.run(task(2));
    await settle();
    finish.get(1)!(false);
    await expect(first).rejects.toThrow('task 1 failed');
    await settle();
    expect(started).toEqual([1, 2]);
    finish.get(2)!(true);
    expect(await second).toBe(2);
  });

  it('whatever the order of finishing: never more than max at once, every call started in turn and answered with its own outcome', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), async (max, picks) => {
        const limiter = new Limiter(max);
        const { started, finish, task, peak } = controlled();
        const results = picks.map((_, i) => limiter.run(task(i)).catch(() => -1));
        const failed = new Set<number>();
        await settle();
        // Each pick finishes one of the running tasks; every third finishing fails.
        for (const [n, pick] of picks.entries()) {
          const running = [...finish.keys()];
          const i = running[pick % running.length];
          if (n % 3 === 0) failed.add(i);
          finish.get(i)!(!failed.has(i));
          finish.delete(i);
          await settle();
        }
        expect(peak()).toBeLessThanOrEqual(max);
        expect(started).toEqual(picks.map((_, i) => i));
        expect(await Promise.all(results)).toEqual(picks.map((_, i) => (failed.has(i) ? -1 : i)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to let nothing through', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
