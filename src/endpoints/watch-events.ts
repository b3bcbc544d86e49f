/**
 * What every watch stream does regardless of transport: end at the server-side timeout,
 * send periodic BOOKMARKs when the client allows them, and stop after an ERROR event.
 * Transports only serialize the events this yields.
 */
import type { WatchEvent } from '../registry/rest/resource-store.js';

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

/** Waits for `promise`, a timer of `ms`, or the signal, whichever comes first. */
async function race<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T | typeof TIMER | typeof ABORTED> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof TIMER>((resolve) => {
        timer = setTimeout(() => resolve(TIMER), Math.max(0, ms));
      }),
      new Promise<typeof ABORTED>((resolve) => {
        onAbort = () => resolve(ABORTED);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
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
  try {
    for (;;) {
      pending ??= events.next();
      const next = await race(pending, Math.min(deadline, nextBookmark) - Date.now(), opts.signal);
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
      yield ev;
      if (ev.type === 'ERROR') return;
    }
  } finally {
    // A next() still in flight settles when the call's signal aborts the source; an idle
    // source can be closed now.
    if (pending) pending.catch(() => undefined);
    else if (events.return) Promise.resolve(events.return()).catch(() => undefined);
  }
}
