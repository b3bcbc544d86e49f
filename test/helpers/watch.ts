/** Reading an HTTP watch until a condition holds: the way tests wait without sleeping. */
import type { RunningServer } from '../../src/server/server.js';

type Json = Record<string, any>;
export type WatchEventJson = { type: string; object: Json };

/**
 * Opens `path` as a watch (`watch=true` is added) and collects events until `done(events)`
 * is true; rejects after `ms` with what it saw.
 */
export async function watchUntil(server: RunningServer, path: string, done: (events: WatchEventJson[]) => boolean, ms = 5000): Promise<WatchEventJson[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const events: WatchEventJson[] = [];
  const sep = path.includes('?') ? '&' : '?';
  try {
    const res = await fetch(`${server.url}${path}${sep}watch=true`, { headers: { accept: 'application/json' }, signal: abort.signal });
    if (res.status !== 200) throw new Error(`watch ${path}: HTTP ${res.status} ${await res.text()}`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error('watch ended');
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, i)) as WatchEventJson);
        buffer = buffer.slice(i + 1);
        if (done(events)) return events;
      }
    }
  } catch (err) {
    if (abort.signal.aborted) throw new Error(`watch ${path}: condition not met within ${ms} ms; saw ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`);
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** True once a DELETED event for each of `names` is among `events`. */
export const deletedAll = (names: string[]) => (events: WatchEventJson[]): boolean =>
  names.every((n) => events.some((e) => e.type === 'DELETED' && e.object?.metadata?.name === n));
