/**
 * A custom resource described only by its structural OpenAPI schema: x-kubernetes-list-type
 * set and map (with a defaulted key), an atomic object, a list without a list type (atomic),
 * a map of objects, and x-kubernetes-preserve-unknown-fields (deduced: maps granular, lists
 * atomic all the way down).
 */
import { apply, object, seq, update, type OracleSuite } from './steps.js';

type Obj = Record<string, unknown>;

const openapi = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        listeners: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: {
            type: 'object',
            required: ['port'],
            properties: {
              port: { type: 'integer' },
              protocol: { type: 'string', default: 'TCP' },
              hosts: { type: 'array', items: { type: 'string' } },
              tls: { type: 'object', properties: { secret: { type: 'string' }, mode: { type: 'string' } } },
            },
          },
        },
        endpoint: {
          type: 'object',
          'x-kubernetes-map-type': 'atomic',
          properties: { host: { type: 'string' }, port: { type: 'integer' } },
        },
        weights: { type: 'object', additionalProperties: { type: 'integer' } },
        backends: { type: 'object', additionalProperties: { type: 'object', properties: { url: { type: 'string' }, timeout: { type: 'string' } } } },
        plain: { type: 'array', items: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
      },
    },
  },
};

function gw(spec: Obj | undefined, metadata: Obj = {}): Obj {
  return object('example.com/v1', 'Gateway', 'edge', spec !== undefined ? { spec } : {}, metadata);
}

export const customResourceSuite: OracleSuite = {
  name: 'Gateway (custom resource)',
  schema: { openapi },
  cases: [
    seq('cr: a set from two appliers', apply('a', gw({ tags: ['x', 'y'] })), apply('b', gw({ tags: ['y', 'z'] })), apply('a', gw({ tags: [] })), apply('b', gw({ tags: ['z'] }))),
    seq(
      'cr: list-map with a defaulted key, nested atomic list',
      apply('a', gw({ listeners: [{ port: 80, hosts: ['a.example'] }, { port: 443, protocol: 'TCP', tls: { secret: 's' } }] })),
      apply('b', gw({ listeners: [{ port: 80, protocol: 'TCP', hosts: ['b.example'] }] })),
      apply('b', gw({ listeners: [{ port: 80, protocol: 'TCP', hosts: ['b.example'] }] }), true),
      apply('a', gw({ listeners: [{ port: 443, tls: { secret: 's' } }] })),
    ),
    seq('cr: an atomic object', apply('a', gw({ endpoint: { host: 'h', port: 1 } })), apply('b', gw({ endpoint: { host: 'h', port: 1 } })), apply('b', gw({ endpoint: { host: 'h', port: 2 } })), apply('a', gw({}))),
    seq('cr: a granular map of integers', apply('a', gw({ weights: { blue: 90, green: 10 } })), update('rollout', gw({ weights: { blue: 50, green: 50 } })), apply('a', gw({ weights: { blue: 90 } }))),
    seq(
      'cr: a map of objects',
      apply('a', gw({ backends: { one: { url: 'http://one', timeout: '1s' } } })),
      apply('b', gw({ backends: { one: { timeout: '5s' }, two: { url: 'http://two' } } })),
      apply('b', gw({ backends: { one: { timeout: '5s' }, two: { url: 'http://two' } } }), true),
      apply('a', gw({ backends: {} })),
    ),
    seq('cr: a list without list type is atomic', apply('a', gw({ plain: ['1', '2'] })), apply('b', gw({ plain: ['1', '2', '3'] })), update('editor', gw({ plain: ['9'] })), apply('a', gw({ plain: ['1', '2'] }), true)),
    seq(
      'cr: preserved unknown fields are deduced',
      apply('a', gw({ config: { retries: 3, limits: { rps: 10, burst: 20 }, hosts: ['a', 'b'] } })),
      apply('b', gw({ config: { limits: { burst: 30 }, extra: { deep: { x: true } } } })),
      apply('b', gw({ config: { limits: { burst: 30 }, extra: { deep: { x: true } } } }), true),
      apply('a', gw({ config: { hosts: ['a'] } })),
      update('editor', gw({ config: { hosts: ['a'], limits: { burst: 30 }, extra: { deep: { x: false, y: null } } } })),
    ),
    seq('cr: int-or-string', apply('a', gw({ port: 80 })), apply('b', gw({ port: 'http' })), apply('b', gw({ port: 'http' }), true), apply('a', gw({ port: 'http' }))),
    seq('cr: metadata is ObjectMeta', apply('a', gw(undefined, { labels: { a: '1' }, finalizers: ['example.com/f'] })), apply('b', gw(undefined, { labels: { b: '2' }, finalizers: ['example.com/g'] })), apply('a', gw(undefined, {}))),
    seq(
      'cr: a deduced value changing shape',
      apply('a', gw({ config: { x: 1, list: [{ a: 1 }] } })),
      update('editor', gw({ config: { x: { y: 1 }, list: [{ a: 2 }] } })),
      apply('a', gw({ config: { x: 1, list: [{ a: 1 }] } })),
      apply('a', gw({ config: { x: 1, list: [{ a: 1 }] } }), true),
    ),
    seq(
      'cr: deduced values changing shape every way',
      apply('a', gw({ config: { s: 'x', m: { k: 1 }, l: [1], n: null, e: {} } })),
      update('editor', gw({ config: { s: { k: 1 }, m: 'x', l: { k: [1] }, n: { k: 1 }, e: 'x' } })),
      update('other', gw({ config: { s: [1], m: null, l: 'x', n: [], e: {} } })),
      apply('a', gw({ config: { s: 'x', m: { k: 1 }, l: [1], n: null, e: {} } }), true),
      apply('a', gw({ config: { m: {} } })),
    ),
  ],
};
