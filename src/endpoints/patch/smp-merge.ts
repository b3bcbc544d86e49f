/**
 * The strategic merge patch algorithm (server side): objects merge recursively and `null`
 * deletes a key; lists whose field has patch strategy `merge` merge element-wise by their
 * merge key (objects) or as a set (scalars); other lists are replaced. Directives handled:
 * `$patch` (replace/delete on objects; delete/replace on list elements), `$retainKeys`,
 * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 *
 * Inputs are mutated; callers pass private copies.
 */
import {
  badArgType,
  badPatchType,
  badPrimitiveListFormat,
  badRetainKeysFormat,
  badSetElementOrderFormat,
  internal,
  noMergeKey,
} from './smp-errors.js';
import {
  DIRECTIVE_MARKER,
  ElementIndex,
  elementKind,
  hasDirective,
  mergeKeyIndex,
  normalizeElementOrder,
  partitionByPresence,
  splitDeletions,
} from './smp-order.js';
import type { PatchSchema } from './smp-schema.js';
import { goTypeName, goValueString, isMap, type JsonMap, scalarEqual } from './smp-values.js';

const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const LIST_TYPE = '[]interface {}';

/** Sets `obj[key]` as an own property, even for `__proto__`. */
function put(obj: JsonMap, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The list key after `<prefix>/`; a malformed key is the prefix's format error. */
function listKeyOf(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER ? badSetElementOrderFormat() : badPrimitiveListFormat();
  }
  return key.slice(slash + 1);
}

/** The non-retainKeys strategy of a field (`merge`, `replace` or `""`). */
function mainStrategy(strategies: readonly string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : (strategies[0] ?? '');
  if (strategies.length === 2) {
    if (strategies[0] === 'retainKeys') return strategies[1] ?? '';
    if (strategies[1] === 'retainKeys') return strategies[0] ?? '';
  }
  throw internal(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

/** Drops objects carrying `$patch` (and the keys holding them) from a value taken as-is. */
function removeDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = removeDirectives(item);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  if (isMap(value)) {
    if (Object.hasOwn(value, DIRECTIVE_MARKER)) return { value: null, keep: false };
    for (const key of Object.keys(value)) {
      const r = removeDirectives(value[key]);
      if (r.keep) put(value, key, r.value);
      else delete value[key];
    }
  }
  return { value, keep: true };
}

/** Deletes `null`-valued keys everywhere inside a value taken as-is. */
function discardNulls(value: unknown): void {
  if (Array.isArray(value)) value.forEach(discardNulls);
  else if (isMap(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key];
      else discardNulls(value[key]);
    }
  }
}

/** Stores a patch value that has nothing to merge with. */
function takePatchValue(original: JsonMap, key: string, patchValue: unknown): void {
  discardNulls(patchValue);
  const r = removeDirectives(patchValue);
  if (r.keep) put(original, key, r.value);
  else delete original[key];
}

function directiveOnMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRetainKeysFormat();
  const retained = (key: string): boolean => retain.some((k) => k === key);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained(key)) throw badRetainKeysFormat();
  }
  for (const key of Object.keys(original)) {
    if (!retained(key)) delete original[key];
  }
}

function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList).kept : patchList;
  const sameKey = (a: unknown, b: unknown): boolean => {
    if (!mergeKey) return scalarEqual(a, b);
    if (!isMap(a)) throw badArgType('map[string]interface {}', a);
    if (!isMap(b)) throw badArgType('map[string]interface {}', b);
    if (!Object.hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
    if (!Object.hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
    return scalarEqual(a[mergeKey], b[mergeKey]);
  };
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (hasDirective(items[p])) {
      p++;
      continue;
    }
    if (sameKey(items[p], order[s])) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw internal(
      `the order in patch list:\n${goValueString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValueString(order)}`,
    );
  }
}

/** Processes every `$setElementOrder/<list>` of `patch` together with its list. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType(LIST_TYPE, order);
    const listKey = listKeyOf(key, SET_ELEMENT_ORDER);
    const inOriginal = Object.hasOwn(original, listKey);
    const inPatch = Object.hasOwn(patch, listKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (inOriginal) {
      const v = original[listKey];
      if (!Array.isArray(v)) throw badArgType(LIST_TYPE, v);
      originalList = v;
    }
    if (inPatch) {
      const v = patch[listKey];
      if (!Array.isArray(v)) throw badArgType(LIST_TYPE, v);
      patchList = v;
    }
    const { meta, schema: elementSchema } = schema.lookup(listKey);
    const strategy = mainStrategy(meta.strategies);
    validateAgainstOrder(patchList, order, meta.mergeKey);
    let merged: unknown[];
    if (inOriginal && !inPatch) merged = originalList;
    else if (!inOriginal && inPatch) merged = removeDirectives(patchList).value as unknown[];
    else if (inOriginal && inPatch) {
      merged = mergeList([...originalList], patchList, elementSchema, strategy, meta.mergeKey, false);
    } else continue;
    const { named, rest } = partitionByPresence(merged, order, meta.mergeKey);
    const kind = elementKind(originalList, patchList);
    put(original, listKey, normalizeElementOrder(named, rest, order, originalList, meta.mergeKey, kind));
    delete patch[listKey];
  }
}

/** Merges `patch` into `original` (either may be mutated) and returns the result. */
export function mergeMap(original: JsonMap, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE_MARKER)) return directiveOnMap(patch[DIRECTIVE_MARKER], patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);
  for (const patchKey of Object.keys(patch)) {
    const patchValue = patch[patchKey];
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = listKeyOf(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key)) {
      if (!isDeleteList) takePatchValue(original, key, patchValue);
      continue;
    }
    const current = original[key];
    if (goTypeName(current) !== goTypeName(patchValue)) {
      if (!isDeleteList) takePatchValue(original, key, patchValue);
      continue;
    }
    if (isMap(current) && isMap(patchValue)) {
      const { meta, schema: sub } = schema.lookup(key);
      const strategy = mainStrategy(meta.strategies);
      put(original, key, strategy === 'replace' ? patchValue : mergeMap(current, patchValue, sub));
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      const { meta, schema: sub } = schema.lookup(key);
      const strategy = mainStrategy(meta.strategies);
      put(original, key, mergeList(current, patchValue, sub, strategy, meta.mergeKey, isDeleteList));
    } else {
      put(original, key, patchValue);
    }
  }
  return original;
}

/** A list field: merged when its strategy is `merge`, otherwise replaced by the patch. */
function mergeList(
  original: unknown[],
  patch: unknown[],
  elementSchema: PatchSchema,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (strategy !== 'merge') return patch;
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  let base = original;
  let patchItems = patch;
  if (kind !== 'map') {
    if (isDeleteList) {
      const deleted = ElementIndex.of(patch);
      return original.filter((v) => deleted.find(v) < 0);
    }
    merged = [];
    const seen = new ElementIndex();
    for (const v of [...original, ...patch]) {
      if (seen.find(v) < 0) seen.add(v, merged.push(v) - 1);
    }
  } else {
    if (!mergeKey) throw internal('cannot merge lists without merge key for type struct');
    ({ base, patchItems } = applyElementDirectives(original, patch as JsonMap[], mergeKey));
    merged = mergeElements(base, patchItems as JsonMap[], mergeKey, elementSchema);
  }
  const { named, rest } = partitionByPresence(merged, patchItems, mergeKey);
  return normalizeElementOrder(named, rest, patchItems, base, mergeKey, kind);
}

/** Applies `$patch: delete|replace` list elements; returns the remaining base and patch elements. */
function applyElementDirectives(
  original: unknown[],
  patch: JsonMap[],
  mergeKey: string,
): { base: unknown[]; patchItems: unknown[] } {
  const plain: JsonMap[] = [];
  const deleted = new ElementIndex();
  let deletes = 0;
  let replace = false;
  for (const item of patch) {
    if (!Object.hasOwn(item, DIRECTIVE_MARKER)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE_MARKER];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      deleted.add(item[mergeKey], deletes++);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw internal('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  // Every element the deletions name goes, in one pass (the lists hold objects only: elementKind checked them).
  const base = deletes ? original.filter((e) => !(isMap(e) && Object.hasOwn(e, mergeKey) && deleted.find(e[mergeKey]) >= 0)) : original;
  return replace ? { base: plain, patchItems: [] } : { base, patchItems: plain };
}

/** Merges each patch element into the base element with the same merge key, or appends it. */
function mergeElements(base: unknown[], patch: JsonMap[], mergeKey: string, elementSchema: PatchSchema): unknown[] {
  const out = [...base];
  const positions = mergeKeyIndex(out, mergeKey);
  for (const item of patch) {
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = positions.find(item[mergeKey]);
    if (at >= 0) out[at] = mergeMap(out[at] as JsonMap, item, elementSchema);
    else positions.add(item[mergeKey], out.push(item) - 1);
  }
  return out;
}
