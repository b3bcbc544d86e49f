/**
 * The oracle itself: Debian's Go builds `smd/main.go` against Debian's structured-merge-diff,
 * and a schema emitted from a TypeNode makes the library behave as its own tests say
 * (key defaults in associative-list keys, conflicts, force, pruning, deduced types).
 * Not skippable: without Go or the library this fails, as the differential test would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { SCALAR, UNTYPED, type ListNode, type MapNode, type TypeNode } from '../../src/machinery/fieldmanager/type-node.js';
import { runSmdOracle, smdOracleBinary } from './smd-oracle.js';
import { smdSchema, UNTYPED_DEDUCED } from './smd-schema.js';

function struct(fields: Record<string, TypeNode>, relationship: 'separable' | 'atomic' = 'separable'): MapNode {
  return {
    kind: 'map',
    relationship,
    field: (name) => fields[name],
    hasField: (name) => Object.hasOwn(fields, name),
    elementType: UNTYPED,
  };
}

function mapOf(elementType: TypeNode, relationship: 'separable' | 'atomic' = 'separable'): MapNode {
  return { kind: 'map', relationship, field: () => undefined, hasField: () => false, elementType };
}

const port = struct({ port: SCALAR, protocol: SCALAR, name: SCALAR });
const ports: ListNode = { kind: 'list', relationship: 'associative', keys: ['port', 'protocol'], elementType: port, keyDefault: (k) => (k === 'protocol' ? 'TCP' : undefined) };
const root = struct({
  ports,
  labels: mapOf(SCALAR),
  selector: mapOf(SCALAR, 'atomic'),
  args: { kind: 'list', relationship: 'atomic', keys: [], elementType: SCALAR },
  finalizers: { kind: 'list', relationship: 'associative', keys: [], elementType: SCALAR },
  extra: UNTYPED,
});

test('the oracle builds with Debian Go in GOPATH mode and is cached', () => {
  const first = smdOracleBinary();
  assert.equal(smdOracleBinary(), first);
  assert.match(first, /wheelhouse-smd-oracle\/[0-9a-f]{16}\/smd$/);
});

test('the emitted schema declares used fields, key fields with defaults, and SMD\'s deduced types', () => {
  const { schema, typeName } = smdSchema(root, [{ ports: [{ port: 80 }], labels: { a: 'b' }, extra: { x: [1] } }]);
  assert.equal(typeName, 'root');
  const types = (parse(schema) as { types: { name: string; map?: { fields?: { name: string; default?: unknown }[] }; list?: unknown }[] }).types;
  const names = types.map((t) => t.name);
  assert.deepEqual(names, ['root', 't1', 't2', 't3', '__untyped_atomic_', UNTYPED_DEDUCED]);
  assert.deepEqual(types[0]!.map!.fields!.map((f) => f.name), ['extra', 'labels', 'ports']);
  const element = types.find((t) => t.map?.fields?.some((f) => f.name === 'protocol'))!;
  assert.deepEqual(element.map!.fields, [
    { name: 'port', type: { scalar: 'untyped' } },
    { name: 'protocol', type: { scalar: 'untyped' }, default: 'TCP' },
  ]);
});

test('structured-merge-diff merges with the emitted schema as its own tests expect', () => {
  const objects = [
    { ports: [{ port: 80 }], labels: { app: 'web' }, selector: { app: 'web' }, finalizers: ['a'] },
    { ports: [{ port: 80, protocol: 'TCP', name: 'http' }], selector: { app: 'other' }, finalizers: ['b'] },
    { labels: { app: 'web' }, extra: { deep: { list: [1, 2] } } },
  ];
  const { schema, typeName } = smdSchema(root, objects);
  const [result] = runSmdOracle({
    schema,
    typeName,
    cases: [
      {
        name: 'defaults, atomic conflict, force, prune',
        steps: [
          { op: 'apply', manager: 'a', object: objects[0] },
          { op: 'apply', manager: 'b', object: objects[1] },
          { op: 'apply', manager: 'b', object: objects[1], force: true },
          { op: 'apply', manager: 'a', object: objects[2] },
          { op: 'apply', manager: 'a', object: objects[2] },
        ],
      },
    ],
  });
  assert.ok(result);
  assert.equal(result.error, undefined);
  const [s0, s1, s2, s3, s4] = result.steps;
  // A port without protocol is keyed with the default, as SMD's default_keys tests say.
  assert.deepEqual(s0!.managers['a']!.fieldsV1, {
    'f:finalizers': { 'v:"a"': {} },
    'f:labels': { 'f:app': {} },
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
    'f:selector': {},
  });
  assert.deepEqual(s1!.conflicts, [{ manager: 'a', path: '.selector' }]);
  assert.deepEqual(s1!.object, objects[0]);
  assert.deepEqual(s2!.conflicts, [{ manager: 'a', path: '.selector' }]);
  assert.deepEqual(s2!.object, { ports: [{ port: 80, protocol: 'TCP', name: 'http' }], labels: { app: 'web' }, selector: { app: 'other' }, finalizers: ['a', 'b'] });
  assert.deepEqual(Object.keys(s2!.managers).sort(), ['a', 'b']);
  assert.equal(s2!.managers['b']!.applied, true);
  // `a` stops applying ports and finalizers: its finalizer goes, the shared port stays (b owns it).
  assert.deepEqual(s3!.object, { ports: [{ port: 80, protocol: 'TCP', name: 'http' }], labels: { app: 'web' }, selector: { app: 'other' }, finalizers: ['b'], extra: { deep: { list: [1, 2] } } });
  // Keys of a deduced map are members ('.') as map keys are; the declared field `extra` is not.
  assert.deepEqual(s3!.managers['a']!.fieldsV1, { 'f:extra': { 'f:deep': { '.': {}, 'f:list': {} } }, 'f:labels': { 'f:app': {} } });
  assert.equal(s3!.unchanged, false);
  assert.equal(s4!.unchanged, true);
  assert.equal(s4!.conflicts, null);
});
