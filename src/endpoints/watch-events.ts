/**
 * What every watch stream does regardless of transport: end at the server-side timeout,
 * send periodic BOOKMARKs when the client allows them, and stop after an ERROR event.
 * Transports only serialize the events this yields.
 */
import type { WatchEvent } from '../registry/rest/resource-store.js';

/** The annotation of the BOOKMARK that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** How often a watch that allows bookmarks gets one, unless configured otherwise. */
export const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;

/** Options of one watch stream. */
export interface WatchStreamOptions {
  timeoutMs: number;
  /** Send bookmarks this often; undefined sends none. */
  bookmarkIntervalMs: number | undefined;
  /** kind and apiVersion of the bookmark objects. */
  kind: string;
  apiVersion: string;
  /** The revision the watch starts after, if the client named one (bookmarks can use it at once). */
  resourceVersion?: string;
  /** The call's signal: aborting it ends the stream. */
  signal: AbortSignal;
}

const TIMER = Symbol('timer');
const ABORTED = Symbol('aborted');

/**
 * What a stream waits on between events: the next event, one timer (armed again only after it
 * fired) and the call's signal (one listener for the stream). Per event this costs one promise,
 * not a timer and a listener: a thousand watchers of one write each pass through here.
 */
class Waiter {
  private wake: ((v: typeof TIMER | typeof ABORTED) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private fired = false;
  private readonly onAbort = (): void => this.rouse(ABORTED);

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  private rouse(why: typeof TIMER | typeof ABORTED): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.(why);
  }

  /**
   * Waits for `promise`, the timer (armed for `ms` unless already running), or the signal.
   * The caller says `settled()` when it resumes, so a timer firing later is kept for the next wait.
   */
  wait<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMER | typeof ABORTED> {
    if (this.signal.aborted) return Promise.resolve(ABORTED);
    if (this.fired) {
      this.fired = false;
      return Promise.resolve(TIMER);
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.wake) this.rouse(TIMER);
      else this.fired = true;
    }, Math.max(0, ms));
    return new Promise<T | typeof TIMER | typeof ABORTED>((resolve, reject) => {
      this.wake = resolve;
      promise.then(resolve, reject);
    });
  }

  /** The last wait is over (its caller resumed, in the same microtask run as the settling). */
  settled(): void {
    this.wake = undefined;
  }

  close(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

/** The events of `source` with the timeout and bookmarks applied. */
export async function* watchStream(source: AsyncIterable<WatchEvent>, opts: WatchStreamOptions): AsyncIterable<WatchEvent> {
  const events = source[Symbol.asyncIterator]();
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.bookmarkIntervalMs;
  let nextBookmark = interval === undefined ? Infinity : Date.now() + interval;
  let lastRv = opts.resourceVersion && opts.resourceVersion !== '0' ? opts.resourceVersion : '';
  let pending: Promise<IteratorResult<WatchEvent>> | undefined;
  const waiter = new Waiter(opts.signal);
  try {
    for (;;) {
      pending ??= events.next();
      const next = await waiter.wait(pending, Math.min(deadline, nextBookmark) - Date.now());
      waiter.settled();
      if (next === ABORTED) return;
      if (next === TIMER) {
        const now = Date.now();
        if (now >= deadline) return;
        if (interval !== undefined && now >= nextBookmark) {
          nextBookmark = now + interval;
          if (lastRv) yield { type: 'BOOKMARK', object: { kind: opts.kind, apiVersion: opts.apiVersion, metadata: { resourceVersion: lastRv } } };
        }
        continue;
      }
      pending = undefined;
      if (next.done) return;
      const ev = next.value;
      if (ev.type !== 'ERROR') lastRv = ev.object.metadata?.resourceVersion ?? lastRv;
      // The store's progress (a BOOKMARK of its own) only moves what the next bookmark
      // carries; the end of a watch-list's initial events is the client's to see.
      if (ev.type === 'BOOKMARK' && ev.object.metadata?.annotations?.[INITIAL_EVENTS_END] !== 'true') continue;
      yield ev;
      if (ev.type === 'ERROR') return;
    }
  } finally {
    waiter.close();
    // A next() still in flight settles when the call's signal aborts the source; an idle
    // source can be closed now.
    if (pending) pending.catch(() => undefined);
    else if (events.return) Promise.resolve(events.return()).catch(() => undefined);
  }
}
