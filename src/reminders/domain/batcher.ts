interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (reason: unknown) => void;
}

/**
 * Gathers items that arrive one at a time (one per queue job) into batches for `run`: a
 * batch goes as soon as it holds `max` items, or `lingerMs` after its first item arrived.
 * Batches do not wait for one another, so one can be in the database while another is
 * with the provider. Each caller gets its own item's result, or the error of a batch that
 * failed as a whole.
 */
export class Batcher<I, R> {
  private waiting: Waiting<I, R>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly run: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly max: number,
    private readonly lingerMs: number,
  ) {
    if (max < 1) throw new RangeError('A batch holds at least one item');
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.max) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    this.run(batch.map((w) => w.item)).then(
      (results) =>
        batch.forEach((w, i) => {
          const result = results[i];
          if (result.status === 'fulfilled') w.resolve(result.value);
          else w.reject(result.reason);
        }),
      (error) => batch.forEach((w) => w.reject(error)),
    );
  }
}
