/**
 * The field manager's TypeNode of a kind described only by a structural OpenAPI schema
 * (a custom resource), read as kube-openapi's converter reads it: `x-kubernetes-list-type`
 * (else a `merge` patch strategy) for lists, `x-kubernetes-map-type` for objects,
 * `x-kubernetes-preserve-unknown-fields` and schemaless values deduced from the value.
 * `metadata` is always ObjectMeta, as upstream builds it for custom resources.
 */
import type { StructuralSchema } from '../runtime/kind-schema.js';
import { typeNodeForMessage } from './schema-from-plan.js';
import { SCALAR, UNTYPED, type ListNode, type MapNode, type TypeNode } from './type-node.js';

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function ext(s: StructuralSchema, key: string): unknown {
  return (s as Record<string, unknown>)[key];
}

/** The TypeNode of a custom resource's top-level schema. */
export function typeNodeForOpenApi(schema: StructuralSchema): TypeNode {
  const root = nodeFor(schema);
  if (root.kind !== 'map') return root;
  return {
    ...root,
    field: (name) => (name === 'metadata' ? typeNodeForMessage(OBJECT_META) : name === 'apiVersion' || name === 'kind' ? SCALAR : root.field(name)),
    hasField: (name) => name === 'metadata' || name === 'apiVersion' || name === 'kind' || root.hasField(name),
  } as typeof root;
}

function nodeFor(s: StructuralSchema): TypeNode {
  if (ext(s, 'x-kubernetes-int-or-string') === true) return SCALAR;
  switch (s.type) {
    case 'array':
      return listFor(s);
    case 'object':
      return objectFor(s);
    case undefined:
      return UNTYPED;
    default:
      return SCALAR;
  }
}

function listFor(s: StructuralSchema): ListNode {
  const elementType = s.items ? nodeFor(s.items) : UNTYPED;
  const listType = ext(s, 'x-kubernetes-list-type');
  if (listType === 'set') return { kind: 'list', relationship: 'associative', keys: [], elementType };
  if (listType === 'map') {
    const keys = ext(s, 'x-kubernetes-list-map-keys');
    const items = s.items?.properties ?? {};
    return {
      kind: 'list',
      relationship: 'associative',
      keys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
      elementType,
      keyDefault: (key) => (items[key] as { default?: unknown } | undefined)?.default,
    };
  }
  if (listType === undefined) {
    const strategy = ext(s, 'x-kubernetes-patch-strategy');
    if (strategy === 'merge' || strategy === 'merge,retainKeys') {
      const key = ext(s, 'x-kubernetes-patch-merge-key');
      return { kind: 'list', relationship: 'associative', keys: typeof key === 'string' ? [key] : [], elementType };
    }
  }
  return { kind: 'list', relationship: 'atomic', keys: [], elementType };
}

function objectFor(s: StructuralSchema): TypeNode {
  const relationship = ext(s, 'x-kubernetes-map-type') === 'atomic' ? 'atomic' : 'separable';
  const props = s.properties ?? {};
  const preserve = ext(s, 'x-kubernetes-preserve-unknown-fields') === true;
  if (s.properties === undefined && s.additionalProperties === undefined && !preserve) return UNTYPED;
  let elementType: TypeNode = UNTYPED;
  if (typeof s.additionalProperties === 'object') elementType = nodeFor(s.additionalProperties);
  const fields = new Map<string, TypeNode>();
  const node: MapNode = {
    kind: 'map',
    relationship,
    field(name) {
      if (!Object.hasOwn(props, name)) return undefined;
      let f = fields.get(name);
      if (!f) {
        f = nodeFor(props[name]!);
        fields.set(name, f);
      }
      return f;
    },
    hasField: (name) => Object.hasOwn(props, name),
    elementType,
    closed: !preserve && s.additionalProperties === undefined,
  };
  return node;
}
