/**
 * Streams watch events as newline-delimited JSON over a chunked response, one flush
 * per event, with optional bookmarks and the server-side timeout.
 */
import type { Response } from 'express';
import type { WatchEvent } from '../../registry/rest/resource-store.js';

/** How often a bookmark is sent when the client allows them. */
export const BOOKMARK_INTERVAL_MS = 60_000;

/** Writes the stream until the events end, the timeout fires or the client leaves. */
export async function streamWatch(
  res: Response,
  events: AsyncIterable<WatchEvent>,
  opts: {
    timeoutSeconds: number;
    bookmarks: boolean;
    abort: AbortController;
    bookmarkIntervalMs?: number;
    /** kind and apiVersion of bookmark objects. */
    kind: string;
    apiVersion: string;
    /** The revision the watch starts after, if the client named one. */
    resourceVersion?: string;
  },
): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  const timer = setTimeout(() => opts.abort.abort(), opts.timeoutSeconds * 1000);
  let lastRv = opts.resourceVersion && opts.resourceVersion !== '0' ? opts.resourceVersion : '';
  const { kind, apiVersion } = opts;
  const bookmarkTimer = opts.bookmarks
    ? setInterval(() => {
        if (!lastRv || res.writableEnded) return;
        const bookmark = { type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: lastRv } } };
        res.write(JSON.stringify(bookmark) + '\n');
      }, opts.bookmarkIntervalMs ?? BOOKMARK_INTERVAL_MS)
    : undefined;
  try {
    for await (const ev of events) {
      if (res.writableEnded || opts.abort.signal.aborted) break;
      if (ev.type !== 'ERROR') lastRv = ev.object.metadata?.resourceVersion ?? lastRv;
      // Backpressure: a client that stops reading stops this loop, so its events queue
      // (bounded) in the storage subscription rather than without bound in the socket.
      if (!res.write(JSON.stringify(ev) + '\n')) await drained(res, opts.abort.signal);
      if (ev.type === 'ERROR') break;
    }
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    opts.abort.abort();
    if (!res.writableEnded) res.end();
  }
}

/** Resolves when the response can take more data, or the client or server gave up on it. */
function drained(res: Response, signal: AbortSignal): Promise<void> {
  if (signal.aborted || res.writableEnded || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
