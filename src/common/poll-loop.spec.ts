import { PollLoop } from './poll-loop';

const INTERVAL = 1000;

/** A loop whose passes each wait for the test to finish them, recording how many ran at once. */
function harness(outcomes: ('ok' | 'fail')[] = []) {
  const log = { passes: 0, concurrent: 0, most: 0, failures: [] as boolean[], recoveries: 0 };
  const open: (() => void)[] = [];
  const loop = new PollLoop({
    intervalMs: INTERVAL,
    pass: async () => {
      log.passes++;
      log.most = Math.max(log.most, ++log.concurrent);
      await new Promise<void>((resolve) => open.push(resolve));
      log.concurrent--;
      if (outcomes.shift() === 'fail') throw new Error('queue down');
    },
    failed: (_error, first) => log.failures.push(first),
    recovered: () => log.recoveries++,
  });
  /** Ends the pass under way and lets the loop react to it. */
  const finish = async () => {
    open.shift()!();
    await jest.advanceTimersByTimeAsync(0);
  };
  return { loop, log, finish };
}

describe('PollLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the first pass one interval after start, then one an interval after each', async () => {
    const { loop, log, finish } = harness();
    loop.start();
    await jest.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(log.passes).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(log.passes).toBe(1);
    await finish();
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(log.passes).toBe(2);
    await finish();
    await loop.stop();
  });

  it('a kick runs a pass at once; kicks during a pass run one more right after it, never two at once', async () => {
    const { loop, log, finish } = harness();
    loop.start();
    loop.kick();
    await jest.advanceTimersByTimeAsync(0);
    expect(log.passes).toBe(1);
    loop.kick();
    loop.kick();
    await finish();
    expect(log.passes).toBe(2);
    await finish();
    // Nothing pending: the next pass waits for the timer.
    expect(log.passes).toBe(2);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(log.passes).toBe(3);
    await finish();
    expect(log.most).toBe(1);
    await loop.stop();
  });

  it('failed passes wait twice as long each time, report the first of a run, and the recovery', async () => {
    const { loop, log, finish } = harness(['fail', 'fail', 'fail', 'ok']);
    loop.start();
    loop.kick();
    await jest.advanceTimersByTimeAsync(0);
    await finish();
    for (const pause of [2 * INTERVAL, 4 * INTERVAL, 8 * INTERVAL]) {
      const before = log.passes;
      await jest.advanceTimersByTimeAsync(pause - 1);
      expect(log.passes).toBe(before);
      await jest.advanceTimersByTimeAsync(1);
      expect(log.passes).toBe(before + 1);
      await finish();
    }
    expect(log.failures).toEqual([true, false, false]);
    expect(log.recoveries).toBe(1);
    // Back to the plain interval.
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(log.passes).toBe(5);
    await finish();
    await loop.stop();
  });

  it('stop waits for the pass under way and starts no other; kicks before start or after stop do nothing', async () => {
    const { loop, log, finish } = harness();
    loop.kick();
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(log.passes).toBe(0);
    loop.start();
    loop.kick();
    await jest.advanceTimersByTimeAsync(0);
    loop.kick();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await finish();
    await stopping;
    loop.kick();
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(log.passes).toBe(1);
  });
});
