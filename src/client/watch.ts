/** A watch as an async iterable of typed events, closed by `close()`, a signal, or the server. */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Status } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { statusErrorFrom } from './errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One change: the object for ADDED/MODIFIED/DELETED/BOOKMARK, the Status for ERROR. */
export interface WatchEvent<T> {
  type: WatchEventType;
  object?: T;
  status?: Status;
}

export interface WatchStream<T> extends AsyncIterable<WatchEvent<T>> {
  /** Ends the watch; the iteration finishes after the events already received. */
  close(): void;
}

type RawEvent<T> = { type?: string; object?: T; status?: Status };

/**
 * Adapts a grpc-js server stream. A stream ended by `close()` or the signal finishes the
 * iteration; any other failure is thrown from it as a StatusError.
 */
export function watchStream<T>(call: ClientReadableStream<RawEvent<T>>, signal?: AbortSignal): WatchStream<T> {
  const queue: WatchEvent<T>[] = [];
  let failure: unknown;
  let ended = false;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    call.cancel();
    ended = true;
    notify();
  };
  call.on('data', (e: RawEvent<T>) => {
    queue.push({ type: (e.type ?? 'ERROR') as WatchEventType, object: e.object, status: e.status });
    notify();
  });
  call.on('error', (err: Error & { code?: number }) => {
    if (!closed) failure = statusErrorFrom(err as never);
    ended = true;
    notify();
  });
  call.on('end', () => {
    ended = true;
    notify();
  });
  if (signal) {
    if (signal.aborted) close();
    else signal.addEventListener('abort', close, { once: true });
  }
  return {
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const next = queue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
        }
        if (failure !== undefined && !closed) throw failure;
      } finally {
        close();
        signal?.removeEventListener('abort', close);
      }
    },
  };
}
