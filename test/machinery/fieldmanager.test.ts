/**
 * The field manager's building blocks against upstream's documented formats: fieldsV1
 * keys and their order, conflict paths, and the Update/Apply bookkeeping of managedFields.
 * (Merge behaviour is checked against structured-merge-diff itself in test/oracle/.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplyConflicts, FieldManager, FieldSet, pathToString, typeNodeForMessage, type Path } from '../../src/machinery/fieldmanager/index.js';
import { goView } from '../../src/machinery/fieldmanager/go-view.js';

const CM = 'k8s.io.api.core.v1.ConfigMap';
const DEPLOY = 'k8s.io.api.apps.v1.Deployment';
const clock = (): string => '2026-12-01T00:00:00Z';

describe('field sets', () => {
  it('reads and writes fieldsV1 in upstream key order ("." first, then f:, k:, v:, i:)', () => {
    const fields = {
      'f:spec': {
        'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
        'f:finalizers': { 'v:"b"': {}, 'v:"a"': {} },
        'f:args': { 'i:1': {}, 'i:0': {} },
      },
      'f:data': { '.': {}, 'f:z': {}, 'f:a': {} },
    };
    const set = FieldSet.fromFieldsV1(fields);
    assert.equal(
      JSON.stringify(set.toFieldsV1()),
      '{"f:data":{".":{},"f:a":{},"f:z":{}},"f:spec":{"f:args":{"i:0":{},"i:1":{}},"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:ports":{".":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}',
    );
    const paths = set.paths().map(pathToString);
    assert.deepEqual(paths, [
      '.data',
      '.data.a',
      '.data.z',
      // At each level SMD lists the members first, then the children's paths.
      '.spec.ports',
      '.spec.args[0]',
      '.spec.args[1]',
      '.spec.finalizers[="a"]',
      '.spec.finalizers[="b"]',
      '.spec.ports[port=80,protocol="TCP"]',
      '.spec.ports[port=80,protocol="TCP"].port',
    ]);
  });

  it('refuses malformed fieldsV1', () => {
    assert.throws(() => FieldSet.fromFieldsV1({ 'x:y': {} }), /unknown path element type "x:y"/);
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }), /expected an object/);
  });

  it('set algebra: union, difference, recursive difference', () => {
    const p = (...names: string[]): Path => names.map((field) => ({ field }));
    const a = FieldSet.of(p('a'), p('a', 'b'), p('c'));
    const b = FieldSet.of(p('a'));
    assert.deepEqual(a.difference(b).paths().map(pathToString), ['.c', '.a.b']);
    assert.deepEqual(a.recursiveDifference(b).paths().map(pathToString), ['.c']);
    assert.deepEqual(b.union(FieldSet.of(p('d'))).paths().map(pathToString), ['.a', '.d']);
  });
});

describe('managedFields bookkeeping', () => {
  const type = typeNodeForMessage(CM);
  const fm = new FieldManager({ type, apiVersion: 'v1', now: clock });
  const empty = { apiVersion: 'v1', kind: 'ConfigMap', ...goView(CM, {}) };

  it('a create records the fields with "." for maps the empty object lacks, never identity fields', () => {
    const next = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', uid: 'u', labels: { app: 'x' } }, data: { a: '1' } };
    const out = fm.update(empty, next, 'kubectl-create');
    assert.deepEqual((out.metadata as { managedFields: unknown }).managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-12-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  it('an update by another manager takes the fields it changes from their owner', () => {
    const created = fm.update(empty, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } }, 'one');
    const next = structuredClone(created) as { data: Record<string, string> };
    next.data.a = 'changed';
    const out = fm.update(created, next as never, 'two');
    const entries = (out.metadata as { managedFields: Array<{ manager: string; fieldsV1: unknown }> }).managedFields;
    assert.deepEqual(
      entries.map((e) => [e.manager, e.fieldsV1]),
      [
        ['one', { 'f:data': { '.': {}, 'f:b': {} } }],
        ['two', { 'f:data': { 'f:a': {} } }],
      ],
    );
  });

  it('managedFields: [] in the request clears them, and so does [{}]; absent keeps them', () => {
    const created = fm.update(empty, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, 'one');
    const same = structuredClone(created);
    assert.equal((fm.update(created, same, 'two', true).metadata as { managedFields?: unknown }).managedFields, undefined);
    const { managedFields: _m, ...meta } = created.metadata as Record<string, unknown>;
    const absent = { ...created, metadata: meta };
    assert.deepEqual((fm.update(created, absent, 'two').metadata as { managedFields?: unknown }).managedFields, (created.metadata as { managedFields?: unknown }).managedFields);
  });

  it('more than ten update managers fold the oldest into ancient-changes', () => {
    let obj: Record<string, unknown> = { ...empty, metadata: { name: 'c' } };
    for (let i = 0; i < 12; i++) {
      const at = `2026-12-01T00:00:${String(i).padStart(2, '0')}Z`;
      const m = new FieldManager({ type, apiVersion: 'v1', now: () => at });
      const next = structuredClone(obj) as { data?: Record<string, string> };
      next.data = { ...(next.data ?? {}), [`k${i}`]: 'v' };
      obj = m.update(obj, next as never, `manager-${i}`);
    }
    const managers = ((obj.metadata as { managedFields: Array<{ manager: string }> }).managedFields).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.equal(managers[0], 'ancient-changes');
    assert.deepEqual(managers.slice(1), ['manager-3', 'manager-4', 'manager-5', 'manager-6', 'manager-7', 'manager-8', 'manager-9', 'manager-10', 'manager-11']);
  });
});

describe('apply', () => {
  const type = typeNodeForMessage(DEPLOY);
  const fm = new FieldManager({ type, apiVersion: 'apps/v1', now: clock, resetFields: FieldSet.of([{ field: 'status' }]) });
  const empty = { apiVersion: 'apps/v1', kind: 'Deployment', ...goView(DEPLOY, {}) };
  const config = (image: string, replicas?: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [{ name: 'app', image }] } } },
  });

  it('conflicts name the manager and the field path; force moves ownership', () => {
    const first = fm.apply(undefined, empty, config('a:1', 2), 'alice', false);
    assert.throws(
      () => fm.apply(first, empty, config('a:2'), 'bob', false),
      (err: unknown) => err instanceof ApplyConflicts && JSON.stringify(err.conflicts) === JSON.stringify([{ manager: '{"manager":"alice","operation":"Apply"}', path: '.spec.template.spec.containers[name="app"].image' }]),
    );
    const forced = fm.apply(first, empty, config('a:2'), 'bob', true);
    const entries = (forced.metadata as { managedFields: Array<{ manager: string; fieldsV1: unknown }> }).managedFields;
    assert.deepEqual(
      entries.map((e) => [e.manager, e.fieldsV1]),
      [
        ['alice', { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {} } } } } } }],
        ['bob', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } }],
      ],
    );
    // alice stops applying replicas: she alone owned it, so it goes.
    const pruned = fm.apply(forced, empty, config('a:1'), 'alice', true);
    assert.equal((pruned.spec as { replicas?: number }).replicas ?? null, null);
  });
});
