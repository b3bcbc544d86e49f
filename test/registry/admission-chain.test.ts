/**
 * The admission seam: the chain runs mutating plugins in order (each seeing the previous
 * one's output) and validating ones after; the generic store runs validating admission on
 * creates (after the strategy), on updates inside the compare-and-swap (seeing the stored
 * object) and on deletes, describing the write as the handlers did (or as the server's own),
 * and a refusal leaves storage untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/machinery/errors/index.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import { admissionChain, SERVER_USER, type AdmissionAttributes, type AdmissionPlugin } from '../../src/registry/rest/admission.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore } from '../../src/storage/object-store.js';

const base: AdmissionAttributes = {
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: { group: '', version: 'v1', kind: 'ConfigMap' },
  namespace: 'default',
  name: 'x',
  object: { metadata: { name: 'x' } },
  user: { name: 'alice', groups: [] },
  dryRun: false,
};

const labelling = (key: string, log: string[]): AdmissionPlugin => ({
  name: key,
  async mutate(a) {
    log.push(`mutate ${key} sees ${JSON.stringify(a.object?.metadata?.labels ?? {})}`);
    return { ...a.object!, metadata: { ...a.object!.metadata, labels: { ...(a.object!.metadata?.labels as object), [key]: 'y' } } };
  },
  async validate(a) {
    log.push(`validate ${key} sees ${JSON.stringify(a.object?.metadata?.labels ?? {})}`);
  },
});

describe('admission chain', () => {
  it('runs every mutating plugin in order, each on the previous output, then the validating ones', async () => {
    const log: string[] = [];
    const inPlace: AdmissionPlugin = {
      name: 'in-place',
      async mutate(a) {
        a.object!.metadata = { ...a.object!.metadata, annotations: { touched: 'yes' } };
      },
    };
    const chain = admissionChain([labelling('a', log), inPlace, labelling('b', log)]);
    const out = await chain.mutate(base);
    assert.deepEqual(out, { metadata: { name: 'x', labels: { a: 'y', b: 'y' }, annotations: { touched: 'yes' } } });
    await chain.validate({ ...base, object: out! });
    assert.deepEqual(log, ['mutate a sees {}', 'mutate b sees {"a":"y"}', 'validate a sees {"a":"y","b":"y"}', 'validate b sees {"a":"y","b":"y"}']);
  });

  it('does not mutate deletes', async () => {
    const log: string[] = [];
    const out = await admissionChain([labelling('a', log)]).mutate({ ...base, operation: 'DELETE', object: undefined as never });
    assert.equal(out, undefined);
    assert.deepEqual(log, []);
  });
});

describe('validating admission in the generic store', () => {
  function setup(refuse?: (a: AdmissionAttributes) => string | undefined) {
    const seen: AdmissionAttributes[] = [];
    const plugin: AdmissionPlugin = {
      name: 'recorder',
      async validate(a) {
        seen.push(structuredClone(a));
        const why = refuse?.(a);
        if (why) throw new ApiError('Forbidden', why);
      },
    };
    const store = createGenericStore(configMaps, { store: createObjectStore(createMemoryBackend()), prefix: '/registry', admission: admissionChain([plugin]) });
    return { store, seen };
  }
  const cm = (data: Record<string, string>): KubeObject => ({ metadata: { name: 'c' }, data });

  it('admits a create after the strategy, as the server\'s own write when no request is described', async () => {
    const { store, seen } = setup();
    await store.create('default', cm({ a: '1' }), {});
    assert.equal(seen.length, 1);
    const a = seen[0]!;
    assert.equal(a.operation, 'CREATE');
    assert.equal(a.name, 'c');
    assert.equal(a.namespace, 'default');
    assert.deepEqual(a.user, SERVER_USER);
    assert.deepEqual(a.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.equal(a.subresource, undefined);
    assert.equal(a.dryRun, false);
    // The strategy ran first: the object carries its uid and creation time.
    assert.ok(a.object?.metadata?.uid);
    assert.ok(a.object?.metadata?.creationTimestamp);
    assert.equal(a.oldObject, undefined);
  });

  it('admits an update inside the compare-and-swap, with the stored object as oldObject, as the request described', async () => {
    const { store, seen } = setup();
    await store.create('default', cm({ a: '1' }), {});
    const user = { name: 'bob', groups: ['devs'] };
    const admission = { group: '', version: 'v1', resource: 'configmaps', kind: { group: '', version: 'v1', kind: 'ConfigMap' }, user, options: { fieldManager: 'm' } };
    await store.update('default', 'c', (cur) => ({ ...cur, data: { a: '2' } }), { target: 'main', admission, dryRun: true });
    const a = seen[1]!;
    assert.equal(a.operation, 'UPDATE');
    assert.deepEqual(a.user, user);
    assert.deepEqual(a.options, { fieldManager: 'm' });
    assert.equal(a.dryRun, true);
    assert.deepEqual(a.object?.data, { a: '2' });
    assert.deepEqual(a.oldObject?.data, { a: '1' });
  });

  it('leaves storage untouched when a plugin refuses an update or a delete', async () => {
    const { store, seen } = setup((a) => (a.operation !== 'CREATE' ? 'no' : undefined));
    await store.create('default', cm({ a: '1' }), {});
    await assert.rejects(store.update('default', 'c', (cur) => ({ ...cur, data: { a: '2' } }), { target: 'main' }), { message: 'no' });
    await assert.rejects(store.delete('default', 'c', {}), { message: 'no' });
    assert.deepEqual((await store.get('default', 'c')).data, { a: '1' });
    const del = seen.find((a) => a.operation === 'DELETE')!;
    assert.equal(del.object, undefined);
    assert.deepEqual(del.oldObject?.data, { a: '1' });
  });
});
