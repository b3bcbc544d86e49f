import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/machinery/errors/index.js';
import { buildPredicate } from '../../src/registry/generic/predicate.js';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { endpoints } from '../../src/registry/core/endpoints.js';
import { events } from '../../src/registry/core/events.js';
import { nodes } from '../../src/registry/core/nodes.js';
import { serviceAccounts } from '../../src/registry/core/serviceaccounts.js';
import { harness, rejectsInvalid, render } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

describe('events', () => {
  it('selects by involved object, reason, source and type', () => {
    const ev = {
      metadata: { name: 'web.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled',
      type: 'Normal',
      source: { component: 'kubelet' },
    };
    const pred = buildPredicate(
      storageView(events),
      undefined,
      'involvedObject.kind=Pod,involvedObject.name=web,involvedObject.uid=u1,reason=Pulled,type=Normal,source=kubelet,involvedObject.fieldPath=spec.containers{c}',
    );
    assert.equal(pred?.(ev), true);
    assert.equal(buildPredicate(storageView(events), undefined, 'type=Warning')?.(ev), false);
    assert.deepEqual(events.shortNames, ['ev']);
  });

  it('falls back to reportingComponent for source', () => {
    const fields = events.selectableFields?.({ metadata: {}, reportingComponent: 'scheduler' });
    assert.equal(fields?.source, 'scheduler');
    assert.equal(fields?.reportingComponent, 'scheduler');
  });

  it('requires the involved object in the same namespace', async () => {
    const h = harness(events);
    try {
      await rejectsInvalid(
        h.store.create('default', { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', namespace: 'other', name: 'x' } }, {}),
        'Event "e" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace',
      );
      const ok = await h.store.create('default', { metadata: { name: 'n' }, involvedObject: { kind: 'Node', name: 'node-1' } }, {});
      assert.equal(ok.metadata?.name, 'n');
    } finally {
      await h.close();
    }
  });
});

describe('nodes', () => {
  it('is cluster-scoped, stored under minions, selectable by spec.unschedulable', async () => {
    assert.equal(nodes.namespaced, false);
    assert.equal(nodes.storagePath, 'minions');
    assert.deepEqual(nodes.shortNames, ['no']);
    const h = harness(nodes);
    try {
      const created = await h.store.create(undefined, { metadata: { name: 'node-1' }, status: { capacity: { cpu: '4' } } }, {});
      assert.deepEqual(created.status, { capacity: { cpu: '4' }, allocatable: { cpu: '4' } });
      await h.store.create(undefined, { metadata: { name: 'node-2' }, spec: { unschedulable: true } }, {});
      const list = await h.store.list(undefined, { fieldSelector: 'spec.unschedulable=false' });
      assert.deepEqual(list.items.map((n) => n.metadata?.name), ['node-1']);
      await h.store.update(undefined, 'node-1', (cur) => ({ ...cur, spec: { providerID: 'aws:///i-1' } }), { target: 'main' });
      await rejectsInvalid(
        h.store.update(undefined, 'node-1', (cur) => ({ ...cur, spec: { providerID: 'aws:///i-2' } }), { target: 'main' }),
        'Node "node-1" is invalid: spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
      );
    } finally {
      await h.close();
    }
  });

  it('validates taints', () => {
    const errs = nodes.strategy.validate?.({ metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }, { key: 'k2' }] } }) ?? [];
    assert.deepEqual(render(errs), [
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
      'spec.taints[1].effect: Required value',
    ]);
  });
});

describe('endpoints, service accounts and config maps', () => {
  it('endpoints live under services/endpoints and validate addresses and ports', () => {
    assert.equal(endpoints.storagePath, 'services/endpoints');
    assert.deepEqual(endpoints.shortNames, ['ep']);
    const obj = { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 99999 }] }] };
    endpoints.strategy.prepareForCreate?.(obj);
    assert.deepEqual(render(endpoints.strategy.validate?.(obj) ?? []), [
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive',
    ]);
  });

  it('service accounts have the sa short name', () => {
    assert.deepEqual(serviceAccounts.shortNames, ['sa']);
    assert.equal(serviceAccounts.namespaced, true);
  });

  it('config map keys use the data[key] path', () => {
    const errs = configMaps.strategy.validate?.({ metadata: { name: 'c' }, data: { 'a b': 'x', k: 'v' }, binaryData: { k: 'dg==' } }) ?? [];
    assert.deepEqual(render(errs), [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
      'binaryData[k]: Invalid value: "k": duplicate of key present in data',
    ]);
  });
});

describe('storage keys', () => {
  it('refuses a namespaced key without a namespace (400), whatever the verb', async () => {
    const h = harness(configMaps);
    try {
      const required = (err: unknown): boolean => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 400);
        assert.equal(err.reason, 'BadRequest');
        assert.equal(err.message, 'Namespace parameter required.');
        return true;
      };
      // A create is stopped earlier, by metadata validation.
      await rejectsInvalid(h.store.create(undefined, { metadata: { name: 'c' } }, {}), 'ConfigMap "c" is invalid: metadata.namespace: Required value');
      await assert.rejects(h.store.get(undefined, 'c'), required);
      await assert.rejects(h.store.get('', 'c'), required);
      await assert.rejects(h.store.update(undefined, 'c', (cur) => cur, { target: 'main' }), required);
      await assert.rejects(h.store.replace(undefined, 'c', (cur) => cur, { target: 'main' }), required);
      await assert.rejects(h.store.delete(undefined, 'c', {}), required);
      // The namespace may come from the body on create.
      const created = await h.store.create(undefined, { metadata: { name: 'c', namespace: 'default' } }, {});
      assert.equal(created.metadata?.namespace, 'default');
      assert.equal((await h.store.list(undefined, {})).items.length, 1);
    } finally {
      await h.close();
    }
  });
});
