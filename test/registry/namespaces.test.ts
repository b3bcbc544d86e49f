import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Namespace } from '../../gen/kube/core-v1.js';
import { namespaces } from '../../src/registry/core/namespaces.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

describe('namespaces', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(namespaces);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.equal(namespaces.namespaced, false);
    assert.deepEqual(namespaces.shortNames, ['ns']);
    assert.equal(namespaces.categories, undefined);
    assert.equal(storageView(namespaces).listTypeName, 'k8s.io.api.core.v1.NamespaceList');
  });

  it('is created Active with the kubernetes finalizer and name label', async () => {
    const ns = await h.store.create(undefined, { metadata: { name: 'team-a' }, status: { phase: 'Terminating' } }, {});
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(ns.metadata?.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.equal(ns.metadata?.namespace, undefined);
  });

  it('requires a DNS-1123 label name', async () => {
    await rejectsInvalid(
      h.store.create(undefined, { metadata: { name: 'a.b' } }, {}),
      `Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  it('rejects a non-standard unqualified finalizer', async () => {
    await rejectsInvalid(
      h.store.create(undefined, { metadata: { name: 'x' }, spec: { finalizers: ['custom'] } }, {}),
      'Namespace "x" is invalid: spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    );
  });

  it('is marked Terminating on delete and removed once the finalizers are gone', async () => {
    await h.store.create(undefined, { metadata: { name: 'doomed' } }, {});
    const first = await h.store.delete(undefined, 'doomed', {});
    assert.equal(first.gone, false);
    assert.equal((first.object.status as { phase: string }).phase, 'Terminating');
    const ts = first.object.metadata?.deletionTimestamp;
    assert.match(ts ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await h.store.delete(undefined, 'doomed', {});
    assert.equal(again.gone, false);
    assert.equal(again.object.metadata?.deletionTimestamp, ts);
    // The namespace controller clears spec.finalizers: the namespace goes away.
    await h.store.update(undefined, 'doomed', (cur) => ({ ...cur, spec: { finalizers: [] } }), { target: 'main' });
    await assert.rejects(h.store.get(undefined, 'doomed'), /namespaces "doomed" not found/);
  });

  it('keeps spec.finalizers of an active namespace on update', async () => {
    await h.store.create(undefined, { metadata: { name: 'keep' } }, {});
    const updated = await h.store.update(undefined, 'keep', (cur) => ({ ...cur, spec: { finalizers: [] } }), { target: 'main' });
    assert.deepEqual(updated.spec, { finalizers: ['kubernetes'] });
  });

  it('deletes immediately without finalizers', async () => {
    await h.store.create(undefined, { metadata: { name: 'quick' } }, {});
    assert.equal(namespaces.gracefulDelete?.({ metadata: { name: 'quick' }, spec: { finalizers: [] } }), false);
    const marked: Namespace = { metadata: { name: 'quick' }, spec: { finalizers: ['kubernetes'] } };
    assert.equal(namespaces.gracefulDelete?.(marked), true);
    assert.equal(marked.status?.phase, 'Terminating');
  });

  it('validates the phase through /status', async () => {
    await h.store.create(undefined, { metadata: { name: 'st' } }, {});
    await rejectsInvalid(
      h.store.update(undefined, 'st', (cur) => ({ ...cur, status: { phase: 'Terminating' } }), { target: 'status' }),
      "Namespace \"st\" is invalid: status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
    );
    const ok = await h.store.update(undefined, 'st', (cur) => ({ ...cur, status: {} }), { target: 'status' });
    assert.deepEqual(ok.status, { phase: 'Active' });
  });
});
