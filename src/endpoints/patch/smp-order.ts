/**
 * Element order of merged lists in strategic merge patch. Items named by the patch (or by its
 * `$setElementOrder/<list>`) keep the patch's relative order, items only the server had keep
 * the live order, and the two runs are interleaved using the live list as the reference:
 * precedence is `$setElementOrder` > order in the patch > order in the live object.
 */
import { badArgType, internal, noListOfLists, noMergeKey } from './smp-errors.js';
import { goTypeName, goValueString, isMap, type JsonMap, scalarEqual } from './smp-values.js';

/** Whether list elements are objects or scalars. */
export type ElementKind = 'map' | 'scalar';

/** The `$patch` directive key. */
export const DIRECTIVE_MARKER = '$patch';

const MAP_TYPE = 'map[string]interface {}';

/** The common element kind of `lists`; lists of lists and mixed element types are errors. */
export function elementKind(...lists: (readonly unknown[])[]): ElementKind {
  let first: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const t = goTypeName(item);
      if (first === undefined) {
        if (Array.isArray(item)) throw noListOfLists();
        first = t;
      } else if (t !== first) {
        throw internal(`list element types are not identical: ${goValueString(lists)}`);
      }
    }
  }
  if (first === undefined) throw internal('no elements in any of the given slices');
  return first === MAP_TYPE ? 'map' : 'scalar';
}

/**
 * Positions of list elements by value under Go's `==` on interfaces (same type, same value),
 * found without a linear search per lookup: merging lists of thousands of elements stays
 * linear instead of quadratic.
 */
export class ElementIndex {
  private readonly first = new Map<string, number>();
  private readonly others: Array<{ value: unknown; at: number }> = [];

  /** Indexes `values` by position. */
  static of(values: readonly unknown[]): ElementIndex {
    const index = new ElementIndex();
    values.forEach((v, at) => index.add(v, at));
    return index;
  }

  /** Records `value` at position `at` unless an earlier position holds an equal value. */
  add(value: unknown, at: number): void {
    const key = primitiveKey(value);
    if (key === undefined) this.others.push({ value, at });
    else if (!this.first.has(key)) this.first.set(key, at);
  }

  /** The first position of a value equal to `value`; -1 if none. */
  find(value: unknown): number {
    const key = primitiveKey(value);
    if (key !== undefined) return this.first.get(key) ?? -1;
    return this.others.find((o) => scalarEqual(o.value, value))?.at ?? -1;
  }
}

/** A map key equal for exactly the primitives `scalarEqual` equates; undefined for objects (equal only to themselves). */
function primitiveKey(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return `n${String(v)}`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    default:
      return undefined;
  }
}

function orderValue(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'map') return item;
  return isMap(item) ? (item[mergeKey] ?? null) : null;
}

/** Throws unless every element of `lists` is an object carrying `mergeKey`. */
export function requireMergeKey(mergeKey: string, ...lists: (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgType(MAP_TYPE, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** Whether `item` is an object carrying a `$patch` directive. */
export function hasDirective(item: unknown): boolean {
  return isMap(item) && Object.hasOwn(item, DIRECTIVE_MARKER);
}

/** Splits list elements (which must be objects) into kept ones and `$patch: delete` ones. */
export function splitDeletions(list: readonly unknown[]): { kept: JsonMap[]; deleted: JsonMap[] } {
  const kept: JsonMap[] = [];
  const deleted: JsonMap[] = [];
  for (const item of list) {
    if (!isMap(item)) throw badArgType(MAP_TYPE, item);
    (item[DIRECTIVE_MARKER] === 'delete' ? deleted : kept).push(item);
  }
  return { kept, deleted };
}

function sortByOrder(toSort: readonly unknown[], order: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items: unknown[] = [...toSort];
  let deleted: unknown[] = [];
  if (kind === 'map') {
    requireMergeKey(mergeKey, toSort, order);
    ({ kept: items, deleted } = splitDeletions(toSort));
  }
  const ranks = ElementIndex.of(order.map((v) => orderValue(v, mergeKey, kind)));
  const ranked = items.map((item, pos) => ({ item, pos, rank: ranks.find(orderValue(item, mergeKey, kind)) }));
  ranked.sort((a, b) => (a.rank >= 0 && b.rank >= 0 ? a.rank - b.rank : 0) || a.pos - b.pos);
  return [...ranked.map((r) => r.item), ...deleted];
}

function interleave(serverOnly: unknown[], fromPatch: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  const positions = ElementIndex.of(serverOrder.map((v) => orderValue(v, mergeKey, kind)));
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else {
      const li = positions.find(orderValue(serverOnly[i], mergeKey, kind));
      const ri = positions.find(orderValue(fromPatch[j], mergeKey, kind));
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

/**
 * Orders a merged list: `fromPatch` sorted by `patchOrder`, `serverOnly` sorted by
 * `serverOrder`, then interleaved by their positions in `serverOrder`.
 */
export function normalizeElementOrder(
  fromPatch: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const patchSorted = sortByOrder(fromPatch, patchOrder, mergeKey, kind);
  const serverSorted = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return interleave(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

/** Splits `merged` into items named in `by` and the rest (objects by merge key, scalars by value). */
export function partitionByPresence(
  merged: readonly unknown[],
  by: readonly unknown[],
  mergeKey: string,
): { named: unknown[]; rest: unknown[] } {
  const named: unknown[] = [];
  const rest: unknown[] = [];
  let keys: ElementIndex | undefined;
  for (const item of merged) {
    let found: boolean;
    if (!mergeKey) {
      keys ??= ElementIndex.of(by);
      found = keys.find(item) >= 0;
    } else {
      if (!isMap(item)) throw badArgType(MAP_TYPE, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      keys ??= mergeKeyIndex(by, mergeKey);
      found = keys.find(item[mergeKey]) >= 0;
    }
    (found ? named : rest).push(item);
  }
  return { named, rest };
}

/**
 * The positions of `list`'s objects by their `mergeKey` values, failing as `findByMergeKey`
 * would on an element that is not an object.
 */
export function mergeKeyIndex(list: readonly unknown[], mergeKey: string): ElementIndex {
  const index = new ElementIndex();
  list.forEach((item, k) => {
    if (!isMap(item)) throw internal(`value for key ${k} is not a map.`);
    if (Object.hasOwn(item, mergeKey)) index.add(item[mergeKey], k);
  });
  return index;
}

/** Index of the first object in `list` whose `mergeKey` equals `value`; -1 if none. */
export function findByMergeKey(list: readonly unknown[], mergeKey: string, value: unknown): number {
  for (let k = 0; k < list.length; k++) {
    const item = list[k];
    if (!isMap(item)) throw internal(`value for key ${k} is not a map.`);
    if (Object.hasOwn(item, mergeKey) && scalarEqual(item[mergeKey], value)) return k;
  }
  return -1;
}
