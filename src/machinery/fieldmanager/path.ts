/**
 * Path elements of a field set, and their `fieldsV1` keys: `f:<name>` (struct field or
 * map key), `k:<json>` (associative-list element by its key fields), `v:<json>` (set
 * element by value), `i:<n>` (atomic-list element by index).
 */
import { compareValues, goJson, valueToString, type Json } from './value.js';

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly { readonly name: string; readonly value: Json }[] }
  | { readonly value: Json }
  | { readonly index: number };

export type Path = readonly PathElement[];

function order(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

/** SMD's order: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const oa = order(a);
  const ob = order(b);
  if (oa !== ob) return oa - ob;
  if ('field' in a && 'field' in b) return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
  if ('key' in a && 'key' in b) {
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= b.key.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= b.key.length) return 1;
      const ka = a.key[i]!;
      const kb = b.key[i]!;
      if (ka.name !== kb.name) return ka.name < kb.name ? -1 : 1;
      const c = compareValues(ka.value, kb.value);
      if (c !== 0) return c;
    }
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}

/** `.name`, `[name="x",port=80]`, `[="x"]`, `[3]`. */
export function pathElementToString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map((k) => `${k.name}=${valueToString(k.value)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueToString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** A path as SMD prints it in conflicts: `.spec.containers[name="app"].image`. */
export function pathToString(path: Path): string {
  return path.map(pathElementToString).join('');
}

/** The `fieldsV1` key of a path element. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map((k) => `${goJson(k.name)}:${goJson(k.value)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a `fieldsV1` key; throws on anything else. */
export function parsePathElement(s: string): PathElement {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      const obj = JSON.parse(rest) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`invalid key path element ${JSON.stringify(s)}`);
      const key = Object.entries(obj as Record<string, Json>)
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { key };
    }
    case 'v:':
      return { value: JSON.parse(rest) as Json };
    case 'i:': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index path element ${JSON.stringify(s)}`);
      return { index: Number(rest) };
    }
    default:
      throw new Error(`unknown path element type ${JSON.stringify(s)}`);
  }
}
