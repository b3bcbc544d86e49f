/**
 * Resolving a TypeNode against a value, as SMD's deduceAtom does: typed nodes keep their
 * declared shape, untyped nodes take the shape of the value (objects are granular maps of
 * untyped values, lists are atomic, everything else a scalar).
 */
import { UNTYPED, type ListNode, type MapNode, type TypeNode } from './type-node.js';

export const UNTYPED_MAP: MapNode = {
  kind: 'map',
  relationship: 'separable',
  field: () => undefined,
  hasField: () => false,
  elementType: UNTYPED,
};

export const UNTYPED_ATOMIC_LIST: ListNode = {
  kind: 'list',
  relationship: 'atomic',
  keys: [],
  elementType: UNTYPED,
};

const UNTYPED_ATOMIC_MAP: MapNode = { ...UNTYPED_MAP, relationship: 'atomic' };

export type Atom = { readonly kind: 'scalar' } | MapNode | ListNode;

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The atom that handles `value` at a node of type `type` (`value` undefined: absent). */
export function atomFor(type: TypeNode, value: unknown): Atom {
  if (type.kind !== 'untyped') return type;
  if (Array.isArray(value)) return UNTYPED_ATOMIC_LIST;
  // Absent and null values resolve as maps: SMD's deduced atom offers all three shapes and
  // its walkers try the map first.
  if (isObject(value) || value === null || value === undefined) return type.atomic ? UNTYPED_ATOMIC_MAP : UNTYPED_MAP;
  return { kind: 'scalar' };
}

/** The type of key `key` of map node `t`: its declared field, else the element type. */
export function fieldType(t: MapNode, key: string): TypeNode {
  return t.field(key) ?? t.elementType;
}

/** A map value, or undefined for absent, null and non-objects (SMD's derefMap ignoring errors). */
export function asMap(v: unknown): Record<string, unknown> | undefined {
  return isObject(v) ? v : undefined;
}

/** A list value, or undefined for absent, null and non-lists. */
export function asList(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
