/**
 * The field manager's TypeNode of a built-in kind, read from the same compiled proto
 * message plans the JSON codec uses, with the rules kube-openapi's schema converter
 * applies to upstream's OpenAPI: lists are atomic unless `list_type` says set/map, or
 * (without it) a `merge` patch strategy makes them associative on the patch merge key;
 * maps and structs are granular unless marked atomic; Time, Quantity, IntOrString and the
 * other special types are scalars; RawExtension is owned whole.
 */
import { getMessagePlan, hasMessage, type FieldPlan, type MessagePlan } from '../schema/index.js';
import { SCALAR, UNTYPED, UNTYPED_ATOMIC, type ListNode, type MapNode, type TypeNode } from './type-node.js';

const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';

/**
 * Key fields upstream gives a default (`+default="TCP"`), so an element that omits them
 * still has an identity — by message and field.
 */
const KEY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'k8s.io.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'k8s.io.api.core.v1.ServicePort': { protocol: 'TCP' },
};

const cache = new Map<string, TypeNode>();

/** The TypeNode of message `fullName` (a kind, or any message below one). */
export function typeNodeForMessage(fullName: string): TypeNode {
  const cached = cache.get(fullName);
  if (cached) return cached;
  let node: TypeNode;
  if (fullName === RAW_EXTENSION) node = UNTYPED_ATOMIC;
  else if (!hasMessage(fullName)) node = UNTYPED;
  else {
    const plan = getMessagePlan(fullName);
    node = plan.special ? SCALAR : structNode(plan);
  }
  cache.set(fullName, node);
  return node;
}

function structNode(plan: MessagePlan): MapNode {
  const fields = new Map<string, TypeNode>();
  const relationship = (plan.schema as { structType?: string }).structType === 'atomic' ? 'atomic' : 'separable';
  return {
    kind: 'map',
    relationship,
    field(name) {
      const known = fields.get(name);
      if (known) return known;
      const field = plan.byJson.get(name)?.at(-1);
      if (!field) return undefined;
      const node = fieldNode(field);
      fields.set(name, node);
      return node;
    },
    hasField: (name) => plan.byJson.has(name),
    elementType: UNTYPED,
    closed: true,
  };
}

function valueNode(field: FieldPlan): TypeNode {
  return field.isMessage ? typeNodeForMessage(field.schema.type) : SCALAR;
}

function fieldNode(field: FieldPlan): TypeNode {
  const s = field.schema as typeof field.schema & { mapType?: string };
  if (field.isMap) {
    return { kind: 'map', relationship: s.mapType === 'atomic' ? 'atomic' : 'separable', field: () => undefined, hasField: () => false, elementType: valueNode(field) };
  }
  if (field.repeated) return listNode(field);
  const node = valueNode(field);
  if (s.mapType === 'atomic' && node.kind === 'map') return { ...node, relationship: 'atomic', field: node.field, hasField: node.hasField };
  return node;
}

function listNode(field: FieldPlan): ListNode {
  const s = field.schema;
  const elementType = valueNode(field);
  const defaults = field.isMessage ? KEY_DEFAULTS[s.type] : undefined;
  const keyDefault = defaults ? (key: string) => defaults[key] : undefined;
  const base = { kind: 'list' as const, elementType, ...(keyDefault ? { keyDefault } : {}) };
  switch (s.listType) {
    case 'atomic':
      return { ...base, relationship: 'atomic', keys: [] };
    case 'set':
      return { ...base, relationship: 'associative', keys: [] };
    case 'map':
      return { ...base, relationship: 'associative', keys: s.listMapKeys ?? [] };
    default: {
      const strategies = (s.patchStrategy ?? '').split(',');
      if (strategies.includes('merge')) return { ...base, relationship: 'associative', keys: s.patchMergeKey ? [s.patchMergeKey] : [] };
      return { ...base, relationship: 'atomic', keys: [] };
    }
  }
}
