/**
 * Merges streams that are each in order into one stream in order, taking from a stream only
 * when its next item is due: a search that wants the first ten slots at fifty sites asks each
 * adviser's diary for little more than its first slot. A binary heap keyed on each stream's
 * head; items that compare equal come out in the order of their streams.
 */
export function* mergeSorted<T>(streams: Iterable<T>[], compare: (a: T, b: T) => number): Generator<T> {
  const heads: { item: T; rest: Iterator<T>; order: number }[] = [];
  const before = (i: number, j: number) => compare(heads[i].item, heads[j].item) < 0 || (compare(heads[i].item, heads[j].item) === 0 && heads[i].order < heads[j].order);
  const swap = (i: number, j: number) => ([heads[i], heads[j]] = [heads[j], heads[i]]);
  const down = (from: number) => {
    for (let i = from; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heads.length && before(left, least)) least = left;
      if (right < heads.length && before(right, least)) least = right;
      if (least === i) return;
      swap(i, least);
      i = least;
    }
  };
  streams.forEach((stream, order) => {
    const rest = stream[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) heads.push({ item: first.value, rest, order });
  });
  for (let i = Math.floor(heads.length / 2) - 1; i >= 0; i--) down(i);
  while (heads.length) {
    const top = heads[0];
    yield top.item;
    const next = top.rest.next();
    if (next.done) {
      const last = heads.pop()!;
      if (heads.length) heads[0] = last;
    } else {
      top.item = next.value;
    }
    down(0);
  }
}

/** The first `count` items of a stream, asking it for no more. */
export function take<T>(stream: Iterable<T>, count: number): T[] {
  const taken: T[] = [];
  if (count <= 0) return taken;
  for (const item of stream) {
    taken.push(item);
    if (taken.length >= count) break;
  }
  return taken;
}
