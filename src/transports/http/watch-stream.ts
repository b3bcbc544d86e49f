/**
 * Streams watch events over a chunked response, one write per event, each already
 * encoded in its frame by endpoints (JSON lines or length-prefixed protobuf). Timeouts
 * and bookmarks are already in the events (endpoints/watch-events.ts).
 */
import type { ServerResponse } from 'node:http';
import type { WatchEvent } from '../../registry/rest/resource-store.js';

/** Writes the stream until the events end or the client leaves; then ends the call. */
export async function streamWatch(
  res: ServerResponse,
  events: AsyncIterable<WatchEvent>,
  abort: AbortController,
  contentType: string,
  frame: (ev: WatchEvent) => Uint8Array,
): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  try {
    for await (const ev of events) {
      if (res.writableEnded || abort.signal.aborted) break;
      // Backpressure: a client that stops reading stops this loop, so its events queue
      // (bounded) in the storage subscription rather than without bound in the socket.
      if (!res.write(frame(ev))) await drained(res, abort.signal);
    }
  } finally {
    abort.abort();
    if (!res.writableEnded) res.end();
  }
}

/** Resolves when the response can take more data, or the client or server gave up on it. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
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
