/**
 * At most `max` calls of `run` under way at once; the others wait their turn, first come
 * first served. The reminder worker takes more jobs at once than a provider should see
 * requests, so that its batches are larger than the sends it lets out.
 */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('A limiter lets at least one call through');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    // The slot is handed over by the call that finishes, so a newcomer cannot jump the queue.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
