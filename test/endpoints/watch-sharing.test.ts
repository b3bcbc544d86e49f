/**
 * One conversion and one serialization per watch event, whatever the number of watchers:
 * given a store that hands every watcher the same event objects (the watch cache's
 * contract), the generic store's typed view, a version view's conversion and the encoded
 * frames are the same objects and bytes for every watcher, and the encode counter on
 * /metrics counts one per event per encoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import type { ObjectStore, ObjectWatchEvent } from '../../src/storage/object-store.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import { versionView } from '../../src/registry/generic/version-view.js';
import { servedViews } from '../../src/registry/rest/served.js';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { horizontalPodAutoscalers } from '../../src/registry/autoscaling/horizontalpodautoscalers.js';
import type { WatchEvent } from '../../src/registry/rest/resource-store.js';
import { encodeWatchFrame } from '../../src/endpoints/response/encode.js';
import { createWatchEncodings } from '../../src/endpoints/watch-encoding.js';
import { PROTOBUF } from '../../src/endpoints/request/media-type.js';

/** A store whose watches all yield the same event objects, as the watch cache's do. */
function sharingStore(events: ObjectWatchEvent[]): ObjectStore {
  return {
    async *watch() {
      yield* events;
    },
  } as unknown as ObjectStore;
}

async function collect(events: AsyncIterable<WatchEvent>): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

const configMap = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'fan', resourceVersion: rv, uid: `uid-${name}` },
  data: { k: name },
});

test('every watcher of a shared event sees the same typed object, and its frames are encoded once per encoding', async () => {
  const shared: ObjectWatchEvent[] = [
    { type: 'ADDED', object: configMap('a', '10') },
    { type: 'MODIFIED', object: configMap('a', '11') },
    { type: 'DELETED', object: configMap('a', '12') },
  ];
  const store = createGenericStore(configMaps, { store: sharingStore(shared), prefix: '/registry' });
  const signal = new AbortController().signal;
  const watchers = await Promise.all([1, 2, 3].map(async () => collect(await store.watch('fan', {}, signal))));
  for (let i = 0; i < shared.length; i++) {
    const [first, ...rest] = watchers.map((w) => w[i]);
    for (const other of rest) assert.equal(other?.object, first?.object, `event ${i}: one typed object for every watcher`);
  }

  const registry = new Registry();
  const encodings = createWatchEncodings(registry);
  const resource = { group: '', version: 'v1', resource: 'configmaps' };
  let encodes = 0;
  const frames = watchers.map((events) =>
    events.flatMap((ev) =>
      [['json', 'application/json'], ['protobuf', PROTOBUF]].map(([encoding, mediaType]) =>
        encodings.bytes(ev, encoding as 'json' | 'protobuf', resource, () => {
          encodes++;
          return encodeWatchFrame(mediaType as 'application/json', ev, store.definition);
        }),
      ),
    ),
  );
  assert.equal(encodes, shared.length * 2);
  for (const other of frames.slice(1)) other.forEach((bytes, i) => assert.equal(bytes, frames[0]?.[i], 'the same bytes for every watcher'));
  assert.deepEqual(JSON.parse(Buffer.from(frames[0]?.[0] ?? []).toString()), { type: 'ADDED', object: shared[0]?.object });
  for (const events of watchers) for (let i = 0; i < events.length; i++) encodings.sent(resource, 10);
  const text = await registry.metrics();
  assert.match(text, /apiserver_watch_cache_events_encoded_total\{group="",resource="configmaps",encoding="json"\} 3\n/);
  assert.match(text, /apiserver_watch_cache_events_encoded_total\{group="",resource="configmaps",encoding="protobuf"\} 3\n/);
  assert.match(text, /apiserver_watch_events_total\{group="",version="v1",resource="configmaps"\} 9\n/);
});

test('a version view converts each shared event once for all its watchers', async () => {
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'fan', resourceVersion: '5' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'd', apiVersion: 'apps/v1' }, maxReplicas: 3 },
  };
  const storage = createGenericStore(horizontalPodAutoscalers, { store: sharingStore([{ type: 'ADDED', object: hpa }]), prefix: '/registry' });
  const v1 = servedViews(horizontalPodAutoscalers).find((v) => v.version === 'v1');
  assert.ok(v1);
  const view = versionView(storage, v1);
  const signal = new AbortController().signal;
  const [a, b] = await Promise.all([1, 2].map(async () => collect(await view.watch('fan', {}, signal))));
  assert.equal(a?.[0]?.object.apiVersion, 'autoscaling/v1');
  assert.equal(a?.[0]?.object, b?.[0]?.object);
});

test('ERROR events are never kept: each watcher encodes its own', () => {
  const encodings = createWatchEncodings();
  const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410 } as unknown as KubeObject;
  let encodes = 0;
  const ev: WatchEvent = { type: 'ERROR', object: status };
  for (let i = 0; i < 2; i++) encodings.bytes(ev, 'json', { group: '', version: 'v1', resource: 'configmaps' }, () => (encodes++, new Uint8Array(1)));
  assert.equal(encodes, 2);
});
