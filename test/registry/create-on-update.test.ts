/**
 * Create-on-update (AllowCreateOnUpdate) is atomic in the generic store: concurrent
 * replaces of a missing object create it once and apply every other write on top, and a
 * concurrent delete turns an update back into a create. The backend here yields a random
 * number of macrotask turns around every call, so reads and compare-and-swaps interleave.
 */
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/machinery/errors/index.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { services } from '../../src/registry/core/services.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import type { ResourceStore } from '../../src/registry/rest/resource-store.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore } from '../../src/storage/object-store.js';

/** Wraps every promise-returning backend method in a few random event-loop turns. */
function jittery(backend: KvBackend): KvBackend {
  const turns = async (): Promise<void> => {
    for (let i = Math.floor(Math.random() * 4); i > 0; i--) await tick();
  };
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'watch') return value;
      return async (...args: unknown[]) => {
        await turns();
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
        await turns();
        return result;
      };
    },
  });
}

function store(def: ResourceDefinition): ResourceStore {
  return createGenericStore(def, { store: createObjectStore(jittery(createMemoryBackend())), prefix: '/registry' });
}

const service = (writer: number): KubeObject => ({
  metadata: { name: 'race', labels: { writer: String(writer) } },
  spec: { ports: [{ port: 80 }] },
});

describe('create-on-update', () => {
  it('20 concurrent replaces of a missing service: exactly one creates, every other one updates it', async () => {
    for (let round = 0; round < 5; round++) {
      const s = store(services);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => s.replace('default', 'race', () => service(i), { target: 'main' })),
      );
      assert.equal(outcomes.filter((o) => o.created).length, 1);
      assert.equal(new Set(outcomes.map((o) => o.object.metadata?.uid)).size, 1);
      const latest = outcomes.reduce((a, b) => (Number(a.object.metadata?.resourceVersion) > Number(b.object.metadata?.resourceVersion) ? a : b));
      const stored = await s.get('default', 'race');
      assert.equal(stored.metadata?.resourceVersion, latest.object.metadata?.resourceVersion);
      assert.deepEqual(stored.metadata?.labels, latest.object.metadata?.labels);
      // Every write is visible: 1 create and 19 updates, each with its own revision.
      assert.equal(new Set(outcomes.map((o) => o.object.metadata?.resourceVersion)).size, 20);
    }
  });

  it('replaces racing deletes never surface a Conflict, AlreadyExists or NotFound', async () => {
    const s = store(services);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(s.replace('default', 'race', () => service(i), { target: 'main' }));
      if (i % 3 === 0) writes.push(s.delete('default', 'race', {}).catch((err: unknown) => assert.ok(err instanceof ApiError && err.reason === 'NotFound')));
    }
    await Promise.all(writes);
  });

  it('replace without create-on-update, through /status, or naming a resourceVersion is a NotFound', async () => {
    const cases: Array<[ResourceStore, KubeObject, 'main' | 'status', string]> = [
      [store(configMaps), { metadata: { name: 'race' } }, 'main', 'configmaps "race" not found'],
      [store(services), service(0), 'status', 'services "race" not found'],
      [store(services), { ...service(0), metadata: { name: 'race', resourceVersion: '7' } }, 'main', 'services "race" not found'],
    ];
    for (const [s, obj, target, message] of cases) {
      await assert.rejects(s.replace('default', 'race', () => obj, { target }), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.reason, 'NotFound');
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  it('update never creates, even where replace would', async () => {
    const s = store(services);
    await assert.rejects(s.update('default', 'race', () => service(0), { target: 'main' }), (err: unknown) => err instanceof ApiError && err.reason === 'NotFound');
  });
});
