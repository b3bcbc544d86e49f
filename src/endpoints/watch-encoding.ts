/**
 * One serialization per watch event per encoding. The store hands every watcher of a
 * resource the same event objects (the watch cache's contract; conversions above it keep
 * that by memoizing on the object), so the bytes of an event are worked out the first time
 * a watcher needs them in an encoding (a JSON line, a protobuf frame, a gRPC message) and
 * every other watcher writes those same bytes. The bytes live as long as the event object
 * does: a WeakMap keyed by it, so they go when the cache's window drops the event.
 *
 * Counted on /metrics:
 * - `apiserver_watch_cache_events_encoded_total{group,resource,encoding}`: serializations
 *   actually done for ADDED/MODIFIED/DELETED events (`json`, `protobuf`, `grpc`); with
 *   sharing, one per event per encoding (and per served version) however many watch;
 * - `apiserver_watch_events_total{group,version,resource}` and
 *   `apiserver_watch_events_sizes{group,version,resource}`: events written to watchers and
 *   their sizes, one per watcher per event, as upstream's (tallied cheaply: watch-event-counts.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { WatchEvent } from '../registry/rest/resource-store.js';
import { WatchEventCounts } from './watch-event-counts.js';

/** The wire forms a watch event is serialized to. */
export type WatchEncoding = 'json' | 'protobuf' | 'grpc';

/** The resource a watch serves (a served resource's names). */
export interface WatchResource {
  group: string;
  version: string;
  resource: string;
}

/** Shared event bytes and their counters, one per server. */
export interface WatchEncodings {
  /**
   * The bytes of `ev` in `encoding`: `encode()`'s result, worked out once per event object,
   * event type and encoding. ERROR events are per watcher and are never kept.
   */
  bytes(ev: WatchEvent, encoding: WatchEncoding, resource: WatchResource, encode: () => Uint8Array): Uint8Array;
  /** Records one event of `size` bytes written to one watcher. */
  sent(resource: WatchResource, size: number): void;
}

/** The three encodings' bytes of one event type, by the event object. */
type Kept = Map<string, Uint8Array>;

/** The key of an encoding and event type, as a constant string (looked up per watcher per event). */
const KEYS: Readonly<Record<WatchEncoding, Readonly<Record<Exclude<WatchEvent['type'], 'ERROR'>, string>>>> = {
  json: { ADDED: 'json ADDED', MODIFIED: 'json MODIFIED', DELETED: 'json DELETED', BOOKMARK: 'json BOOKMARK' },
  protobuf: { ADDED: 'protobuf ADDED', MODIFIED: 'protobuf MODIFIED', DELETED: 'protobuf DELETED', BOOKMARK: 'protobuf BOOKMARK' },
  grpc: { ADDED: 'grpc ADDED', MODIFIED: 'grpc MODIFIED', DELETED: 'grpc DELETED', BOOKMARK: 'grpc BOOKMARK' },
};

/** Shared watch event bytes, counted in `registry` when given. */
export function createWatchEncodings(registry?: Registry): WatchEncodings {
  const registers = registry ? [registry] : [];
  const encoded = new Counter({
    name: 'apiserver_watch_cache_events_encoded_total',
    help: 'Watch events serialized, by encoding (json, protobuf, grpc): one per event per encoding and served version, shared by every watcher.',
    labelNames: ['group', 'resource', 'encoding'] as const,
    registers,
  });
  const counts = new WatchEventCounts(registry);
  const kept = new WeakMap<object, Kept>();
  return {
    bytes(ev, encoding, resource, encode) {
      if (ev.type === 'ERROR') return encode();
      let forObject = kept.get(ev.object);
      const key = KEYS[encoding][ev.type];
      const known = forObject?.get(key);
      if (known) return known;
      const data = encode();
      if (!forObject) {
        forObject = new Map();
        kept.set(ev.object, forObject);
      }
      forObject.set(key, data);
      if (ev.type !== 'BOOKMARK') encoded.inc({ group: resource.group, resource: resource.resource, encoding });
      return data;
    },
    sent(resource, size) {
      counts.sent(resource, size);
    },
  };
}
