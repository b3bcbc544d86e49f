/**
 * The four operations on a typed value that server-side apply is made of, each a walk of
 * value and schema together as structured-merge-diff's typed package does it:
 * the field set a value sets, the comparison of two values (added / modified / removed
 * paths), the merge of an applied configuration onto a live object, and the removal of a
 * set of paths. `undefined` means absent; JSON `null` is a value.
 */
import { asList, asMap, atomFor, fieldType, type Atom } from './atoms.js';
import { listItemPathElement, ListItemError } from './list-items.js';
import { pathElementToString, serializePathElement, type Path, type PathElement } from './path.js';
import { FieldSet } from './set.js';
import type { TypeNode } from './type-node.js';
import { valuesEqual } from './value.js';

/** The paths `value` sets, as SMD's ToFieldSet. */
export function toFieldSet(value: unknown, type: TypeNode): FieldSet {
  const paths: Path[] = [];
  collectFields(value, type, [], paths);
  return FieldSet.fromPaths(paths);
}

function collectFields(value: unknown, type: TypeNode, path: PathElement[], out: Path[]): void {
  const atom = atomFor(type, value);
  if (atom.kind === 'scalar') {
    out.push(path);
    return;
  }
  if (atom.kind === 'list') {
    if (atom.relationship === 'atomic') {
      out.push(path);
      return;
    }
    const list = asList(value);
    if (!list) return;
    list.forEach((item, i) => {
      let pe: PathElement;
      try {
        pe = listItemPathElement(atom, i, item);
      } catch (err) {
        if (err instanceof ListItemError) return;
        throw err;
      }
      const child = [...path, pe];
      collectFields(item, atom.elementType, child, out);
      out.push(child);
    });
    return;
  }
  if (atom.relationship === 'atomic') {
    out.push(path);
    return;
  }
  const map = asMap(value);
  if (!map) return;
  for (const [key, v] of Object.entries(map)) {
    const child = [...path, { field: key }];
    collectFields(v, fieldType(atom, key), child, out);
    if (v === null || (asMap(v) !== undefined && Object.keys(v as object).length === 0)) out.push(child);
    else if (!atom.hasField(key)) out.push(child);
  }
}

/** Paths that differ between two values of one type. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

export function isSame(c: Comparison): boolean {
  return c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();
}

type Rule = (lhs: unknown, rhs: unknown, path: Path) => unknown;
type PostHook = (lhs: unknown, rhs: unknown, path: Path) => void;

/** Thrown when a value cannot be walked (e.g. duplicate keys of an associative list). */
export class MergeError extends Error {}

/**
 * SMD's merging walker: leaves (scalars, atomic values, and maps/lists empty on both
 * sides) go to `rule`, whose result is the output; other nodes recurse, and `post` sees
 * them afterwards. Returns the merged value (undefined when empty).
 */
function walk(lhs: unknown, rhs: unknown, type: TypeNode, path: PathElement[], rule: Rule, post: PostHook | undefined): unknown {
  const al = atomFor(type, lhs);
  const ar = atomFor(type, rhs);
  let out: unknown;
  let leaf: boolean;
  if (sameAtom(al, ar)) {
    [out, leaf] = handle(ar, lhs, rhs, path, rule, post);
  } else {
    // An untyped value changed shape (say, from a string to an object). As SMD, it is
    // walked as its old shape (what that walk finds counts, its output is dropped), then
    // as its new shape, which gives the output.
    handle(al, lhs, rhs, path, rule, post);
    [out, leaf] = handle(ar, lhs, rhs, path, rule, post);
  }
  if (!leaf && post) post(lhs, rhs, path);
  return out;
}

function sameAtom(a: Atom, b: Atom): boolean {
  return a === b || (a.kind === 'scalar' && b.kind === 'scalar');
}

function handle(atom: Atom, lhs: unknown, rhs: unknown, path: PathElement[], rule: Rule, post: PostHook | undefined): [unknown, boolean] {
  if (atom.kind === 'scalar') return [rule(lhs, rhs, path), true];
  if (atom.kind === 'list') {
    const l = asList(lhs);
    const r = asList(rhs);
    const bothEmpty = (!l || l.length === 0) && (!r || r.length === 0);
    if (atom.relationship === 'atomic' || bothEmpty) return [rule(lhs, rhs, path), true];
    // Items are matched by their path elements' fieldsV1 keys (equal exactly when the elements are): one map lookup each, not a scan.
    const rhsItems: { pe: PathElement; item: unknown }[] = [];
    const rhsByKey = new Map<string, { pe: PathElement; item: unknown }>();
    if (r) {
      r.forEach((item, i) => {
        const pe = itemPe(atom, i, item, 'rhs');
        const key = serializePathElement(pe);
        if (rhsByKey.has(key)) throw new MergeError(`${prefix(path)}rhs: duplicate entries for key ${pathElementToString(pe)}`);
        const entry = { pe, item };
        rhsByKey.set(key, entry);
        rhsItems.push(entry);
      });
    }
    const out: unknown[] = [];
    const seen = new Set<string>();
    if (l) {
      l.forEach((item, i) => {
        const pe = itemPe(atom, i, item, 'lhs');
        const key = serializePathElement(pe);
        if (seen.has(key)) throw new MergeError(`${prefix(path)}lhs: duplicate entries for key ${pathElementToString(pe)}`);
        seen.add(key);
        const match = rhsByKey.get(key);
        const v = walk(item, match ? match.item : undefined, atom.elementType, [...path, pe], rule, post);
        if (v !== undefined) out.push(v);
      });
    }
    for (const { pe, item } of rhsItems) {
      if (seen.has(serializePathElement(pe))) continue;
      const v = walk(undefined, item, atom.elementType, [...path, pe], rule, post);
      if (v !== undefined) out.push(v);
    }
    return [out.length > 0 ? out : undefined, false];
  }
  const l = asMap(lhs);
  const r = asMap(rhs);
  const bothEmpty = (!l || Object.keys(l).length === 0) && (!r || Object.keys(r).length === 0);
  if (atom.relationship === 'atomic' || bothEmpty) return [rule(lhs, rhs, path), true];
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})]);
  for (const key of keys) {
    const lv = l && Object.hasOwn(l, key) ? l[key] : undefined;
    const rv = r && Object.hasOwn(r, key) ? r[key] : undefined;
    const v = walk(lv, rv, fieldType(atom, key), [...path, { field: key }], rule, post);
    if (v !== undefined) out[key] = v;
  }
  return [Object.keys(out).length > 0 ? out : undefined, false];
}

function prefix(path: Path): string {
  return path.length ? `${path.map(pathElementToString).join('')}: ` : '';
}

function itemPe(list: Extract<Atom, { kind: 'list' }>, i: number, item: unknown, side: string): PathElement {
  try {
    return listItemPathElement(list, i, item);
  } catch (err) {
    if (err instanceof ListItemError) throw new MergeError(`${side}: element ${i}: ${err.message}`);
    throw err;
  }
}

/** `config` merged onto `live`: config's values win, granular members combine. */
export function merge(live: unknown, config: unknown, type: TypeNode): unknown {
  return walk(live, config, type, [], (l, r) => (r !== undefined ? r : l), undefined);
}

/** What changed from `lhs` to `rhs`. */
export function compare(lhs: unknown, rhs: unknown, type: TypeNode): Comparison {
  const added: Path[] = [];
  const modified: Path[] = [];
  const removed: Path[] = [];
  walk(
    lhs,
    rhs,
    type,
    [],
    (l, r, path) => {
      if (l === undefined) added.push(path);
      else if (r === undefined) removed.push(path);
      else if (!valuesEqual(l, r)) modified.push(path);
      return undefined;
    },
    (l, r, path) => {
      if (l === undefined) added.push(path);
      else if (r === undefined) removed.push(path);
    },
  );
  return { added: FieldSet.fromPaths(added), modified: FieldSet.fromPaths(modified), removed: FieldSet.fromPaths(removed) };
}

/** `value` without the paths in `items` (SMD's RemoveItems; an emptied node becomes null). */
export function removeItems(value: unknown, items: FieldSet, type: TypeNode): unknown {
  const atom = atomFor(type, value);
  if (atom.kind === 'scalar') return value;
  if (atom.kind === 'list') {
    const list = asList(value);
    if (!list || list.length === 0 || atom.relationship === 'atomic') return null;
    const out: unknown[] = [];
    list.forEach((item, i) => {
      let pe: PathElement;
      try {
        pe = listItemPathElement(atom, i, item);
      } catch (err) {
        if (err instanceof ListItemError) pe = { index: i };
        else throw err;
      }
      if (items.has([pe])) return;
      const sub = items.withPrefix(pe);
      out.push(sub.isEmpty() ? item : removeItems(item, sub, atom.elementType));
    });
    return out.length > 0 ? out : null;
  }
  const map = asMap(value);
  if (!map || Object.keys(map).length === 0 || atom.relationship === 'atomic') return null;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(map)) {
    const pe = { field: key };
    if (items.has([pe])) continue;
    const sub = items.withPrefix(pe);
    out[key] = sub.isEmpty() ? v : removeItems(v, sub, fieldType(atom, key));
  }
  return Object.keys(out).length > 0 ? out : null;
}
