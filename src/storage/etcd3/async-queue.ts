/** A single-consumer queue bridging push callbacks to an async iterator. */
export interface AsyncQueue<T> {
  push(item: T): void;
  /** End the stream; with `err`, the consumer's next read throws it. */
  end(err?: unknown): void;
  readonly size: number;
  next(): Promise<IteratorResult<T>>;
}

/** Create an {@link AsyncQueue}. */
export function createAsyncQueue<T>(): AsyncQueue<T> {
  const items: T[] = [];
  let done = false;
  let failure: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    push(item) {
      if (done) return;
      items.push(item);
      signal();
    },
    end(err) {
      if (done) return;
      done = true;
      if (err !== undefined) failure = { err };
      signal();
    },
    get size() {
      return items.length;
    },
    async next() {
      for (;;) {
        if (items.length > 0) return { value: items.shift()!, done: false };
        if (failure) {
          const f = failure;
          failure = undefined;
          throw f.err;
        }
        if (done) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
