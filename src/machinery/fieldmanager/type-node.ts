/**
 * The schema the field manager walks: structured-merge-diff's atoms (scalar, map/struct,
 * list) with their element relationships. Built from a kind's proto message plan
 * (built-in kinds) or from a structural OpenAPI schema (custom resources), so both go
 * through one merge algorithm.
 */

/** How the members of a map or list relate: granular (each its own field) or all-or-nothing. */
export type ElementRelationship = 'separable' | 'atomic' | 'associative';

/** A leaf value: string, number, boolean (or, for untyped nodes, anything scalar). */
export interface ScalarNode {
  readonly kind: 'scalar';
}

/**
 * An object: either a struct (named `fields`, each with its own type) or a map whose
 * values all have `elementType` — or both (unknown keys of a struct fall back to
 * `elementType`, as structured-merge-diff does). `atomic` maps/structs are owned whole.
 */
export interface MapNode {
  readonly kind: 'map';
  readonly relationship: 'separable' | 'atomic';
  /** Declared fields (struct members, inline members flattened in). */
  field(name: string): TypeNode | undefined;
  /** True when `name` is a declared struct field. */
  hasField(name: string): boolean;
  /** Type of keys that are not declared fields (map values); untyped when absent. */
  readonly elementType: TypeNode;
  /** A struct that takes no undeclared keys (an apply configuration's unknown fields are dropped). */
  readonly closed?: boolean;
}

/**
 * A list. `atomic` lists are owned whole; `associative` lists are sets (no `keys`: the
 * elements are scalars identified by value) or maps (elements are objects identified by
 * the values of `keys`).
 */
export interface ListNode {
  readonly kind: 'list';
  readonly relationship: 'atomic' | 'associative';
  readonly keys: readonly string[];
  readonly elementType: TypeNode;
  /** Default value of a key field an element may omit (e.g. ports' `protocol: TCP`). */
  keyDefault?(key: string): unknown;
}

/**
 * An untyped value (x-kubernetes-preserve-unknown-fields, RawExtension): its shape is
 * deduced from the value — maps are granular, lists atomic, scalars leaves — as
 * structured-merge-diff's `__untyped_deduced_` type.
 */
export interface UntypedNode {
  readonly kind: 'untyped';
  /** SMD's `__untyped_atomic_` (RawExtension): objects and lists are owned whole. */
  readonly atomic?: boolean;
}

export type TypeNode = ScalarNode | MapNode | ListNode | UntypedNode;

export const SCALAR: ScalarNode = { kind: 'scalar' };
export const UNTYPED: UntypedNode = { kind: 'untyped' };
export const UNTYPED_ATOMIC: UntypedNode = { kind: 'untyped', atomic: true };
