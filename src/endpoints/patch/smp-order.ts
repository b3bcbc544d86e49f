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

function orderValue(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'map') return item;
  return isMap(item) ? (item[mergeKey] ?? null) : null;
}

/** Position of `item` in `list`, matching objects by merge key and scalars by value; -1 if absent. */
export function indexOf(list: readonly unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const want = orderValue(item, mergeKey, kind);
  return list.findIndex((v) => scalarEqual(orderValue(v, mergeKey, kind), want));
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
  const ranked = items.map((item, pos) => ({ item, pos, rank: indexOf(order, item, mergeKey, kind) }));
  ranked.sort((a, b) => (a.rank >= 0 && b.rank >= 0 ? a.rank - b.rank : 0) || a.pos - b.pos);
  return [...ranked.map((r) => r.item), ...deleted];
}

function interleave(serverOnly: unknown[], fromPatch: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else {
      const li = indexOf(serverOrder, serverOnly[i], mergeKey, kind);
      const ri = indexOf(serverOrder, fromPatch[j], mergeKey, kind);
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
  for (const item of merged) {
    let found: boolean;
    if (!mergeKey) {
      found = by.some((v) => scalarEqual(v, item));
    } else {
      if (!isMap(item)) throw badArgType(MAP_TYPE, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      found = findByMergeKey(by, mergeKey, item[mergeKey]) >= 0;
    }
    (found ? named : rest).push(item);
  }
  return { named, rest };
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
