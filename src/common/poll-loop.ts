export interface PollLoopOptions {
  /**
   * One pass over the work; throws when it cannot get on (the queue is down, say). A pass
   * that works in batches asks `stopping()` between them, so that shutdown need not wait
   * for a whole backlog.
   */
  pass: (stopping: () => boolean) => Promise<unknown>;
  /** The pause between passes while they succeed. */
  intervalMs: number;
  /** Told of a failed pass; `first` is true for the first of a run of failures, so that an outage logs once. */
  failed: (error: Error, first: boolean) => void;
  /** Told when a pass succeeds after failures. */
  recovered?: () => void;
}

// Failed passes wait longer each time (interval × 2^failures), up to this: an outage is not
// hammered, and a recovery is noticed within a minute.
const MAX_PAUSE_MS = 60_000;
const MAX_DOUBLINGS = 6;

/**
 * Runs a pass every interval and whenever kicked (after a commit that made work, say), never
 * two at once in this process: a kick during a pass runs another as soon as it ends, so
 * work made meanwhile never waits for the timer. Other processes may run their own loops
 * over the same rows; the passes themselves make that safe.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;

  constructor(private readonly options: PollLoopOptions) {}

  /** The first pass after one interval, or at the first kick. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** No new pass; waits for the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A pass now rather than at the next tick. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.kick(), Math.min(this.options.intervalMs * 2 ** this.failures, MAX_PAUSE_MS));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    try {
      await this.options.pass(() => this.stopped);
      if (this.failures > 0) this.options.recovered?.();
      this.failures = 0;
    } catch (error) {
      this.options.failed(error instanceof Error ? error : new Error(String(error)), this.failures === 0);
      this.failures = Math.min(this.failures + 1, MAX_DOUBLINGS);
    }
  }
}
