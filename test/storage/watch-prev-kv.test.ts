/**
 * etcd sends an event without its previous value when that value was compacted away before
 * the event went out. A DELETED event cannot be built without it (and a filtered watch cannot
 * tell whether an update stopped matching): the watch must end with an error, so informers
 * re-list, instead of dropping the event and leaving them with an object that is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import type { KvBackend, KvEvent } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore, type ObjectWatchEvent } from '../../src/storage/object-store.js';

/** The memory backend, with watch events shaped as etcd sends them once the previous value is compacted. */
function withoutPrevious(backend: KvBackend): KvBackend {
  return {
    ...backend,
    async *watch(prefix, after, signal) {
      for await (const batch of backend.watch(prefix, after, signal)) {
        yield batch.map((ev): KvEvent => (ev.type === 'delete' ? { type: 'delete', kv: { ...ev.kv, value: new Uint8Array() } } : { type: ev.type, kv: ev.kv }));
      }
    },
  };
}

const cm = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', labels } });

async function firstEvents(source: AsyncIterable<ObjectWatchEvent>, n: number): Promise<ObjectWatchEvent[]> {
  const out: ObjectWatchEvent[] = [];
  for await (const ev of source) {
    out.push(ev);
    if (out.length === n) break;
  }
  return out;
}

describe('watch events without their previous value', () => {
  it('a DELETED event ends the watch with an error rather than being dropped', async () => {
    const backend = withoutPrevious(createMemoryBackend());
    const store = createObjectStore(backend);
    const created = await store.create('/registry/configmaps/ns/a', cm('a', {}));
    const signal = new AbortController();
    const events = store.watch('/registry/configmaps/ns', { resourceVersion: created.metadata?.resourceVersion ?? '', signal: signal.signal });
    const deleted = await backend.delete('/registry/configmaps/ns/a');
    assert.ok(deleted.ok);
    await assert.rejects(firstEvents(events, 1), {
      message: `etcd event received with PrevKv=nil (key="/registry/configmaps/ns/a", modRevision=${deleted.revision}, type=DELETE)`,
    });
    signal.abort();
  });

  it('a filtered watch cannot tell an update that stopped matching: it ends with an error too', async () => {
    const backend = withoutPrevious(createMemoryBackend());
    const store = createObjectStore(backend);
    const created = await store.create('/registry/configmaps/ns/a', cm('a', { app: 'x' }));
    const signal = new AbortController();
    const events = store.watch('/registry/configmaps/ns', {
      resourceVersion: created.metadata?.resourceVersion ?? '',
      signal: signal.signal,
      predicate: (o) => o.metadata?.labels?.['app'] === 'x',
    });
    const updated = await store.guaranteedUpdate('/registry/configmaps/ns/a', (o) => ({ ...o, metadata: { ...o.metadata, labels: { app: 'y' } } }));
    await assert.rejects(firstEvents(events, 1), {
      message: `etcd event received with PrevKv=nil (key="/registry/configmaps/ns/a", modRevision=${updated.metadata?.resourceVersion}, type=PUT)`,
    });
    signal.abort();
  });

  it('over the API the client gets an ERROR event with a 500 InternalError Status', async () => {
    const backend = withoutPrevious(createMemoryBackend());
    const rs = createGenericStore(configMaps, { store: createObjectStore(backend), prefix: '/registry' });
    const created = await createObjectStore(backend).create('/registry/configmaps/ns/a', cm('a', {}));
    const signal = new AbortController();
    const events = await rs.watch('ns', { resourceVersion: created.metadata?.resourceVersion ?? '' }, signal.signal);
    const deleted = await backend.delete('/registry/configmaps/ns/a');
    assert.ok(deleted.ok);
    const [ev] = await firstEvents(events as AsyncIterable<ObjectWatchEvent>, 1);
    const message = `etcd event received with PrevKv=nil (key="/registry/configmaps/ns/a", modRevision=${deleted.revision}, type=DELETE)`;
    assert.deepEqual(ev, {
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: ${message}`,
        reason: 'InternalError',
        details: { causes: [{ message }] },
        code: 500,
      },
    });
    signal.abort();
  });
});
