/**
 * A rate-limited work queue, as client-go's: an item is queued at most once, is never handed
 * to two workers at once (one added while processed is queued again when `done`), and can be
 * re-added after a per-item exponential backoff or a fixed delay.
 */
export interface RateLimiter<K> {
  /** How long to wait before `item` is retried. */
  when(item: K): number;
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** Per-item exponential backoff, `baseMs · 2^failures` up to `maxMs` (client-go: 5 ms to 1000 s). */
export class ExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  forget(item: K): void {
    this.failures.delete(item);
  }
  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

export class RateLimitingQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<(k: K | undefined) => void> = [];
  private shutting = false;

  constructor(readonly rateLimiter: RateLimiter<K> = new ExponentialRateLimiter<K>()) {}

  add(item: K): void {
    if (this.shutting || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
    } else this.queue.push(item);
  }

  /** Adds `item` after `ms`. */
  addAfter(item: K, ms: number): void {
    if (this.shutting) return;
    if (ms <= 0) return this.add(item);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(item);
    }, ms);
    this.timers.add(t);
  }

  /** Adds `item` after its rate limiter's backoff. */
  addRateLimited(item: K): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  forget(item: K): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** The next item, waiting for one; undefined once shut down. Call `done(item)` after. */
  get(): Promise<K | undefined> {
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shutting) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `item` processed; if it was added meanwhile it is queued again. */
  done(item: K): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  len(): number {
    return this.queue.length;
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  /** Stops handing out items; waiting `get()`s resolve undefined. */
  shutDown(): void {
    this.shutting = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/**
 * Runs `workers` loops taking keys from `queue` until `signal` aborts: a key whose handler
 * throws is retried after its backoff, one that succeeds is forgotten.
 */
export function runWorkers<K>(queue: RateLimitingQueue<K>, workers: number, handle: (item: K) => Promise<void>, signal: AbortSignal, onError?: (item: K, err: unknown) => void): Promise<void> {
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  if (signal.aborted) queue.shutDown();
  const loop = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        await handle(item);
        queue.forget(item);
      } catch (err) {
        if (!signal.aborted) {
          onError?.(item, err);
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop)).then(() => undefined);
}
