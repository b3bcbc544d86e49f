/**
 * Annotation helpers for version conversion: reading, writing and dropping the
 * round-trip annotations through which a version keeps fields it cannot hold.
 * Every function returns a new object and leaves its input untouched.
 */
import { cloneObject, type KubeObject } from './object.js';

/** The value of `metadata.annotations[key]`, or undefined. */
export function annotationOf(obj: KubeObject, key: string): string | undefined {
  const value = obj.metadata?.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A copy of `obj` whose annotations have `set` written (a value) or removed
 * (undefined). An annotations map left empty is removed, as Go's omitempty
 * drops it from Kubernetes JSON; an untouched object keeps its map as it was.
 */
export function withAnnotations<T extends KubeObject>(obj: T, set: Readonly<Record<string, string | undefined>>): T {
  const out = cloneObject(obj);
  const keys = Object.keys(set);
  if (keys.length === 0) return out;
  const annotations: Record<string, string> = { ...(out.metadata?.annotations ?? {}) };
  let changed = false;
  for (const key of keys) {
    const value = set[key];
    if (value === undefined) {
      if (key in annotations) {
        delete annotations[key];
        changed = true;
      }
    } else if (annotations[key] !== value) {
      annotations[key] = value;
      changed = true;
    }
  }
  if (!changed) return out;
  const metadata = { ...(out.metadata ?? {}) };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  else metadata.annotations = annotations;
  out.metadata = metadata;
  return out;
}

/** A copy of `obj` without the annotations named in `keys`. */
export function withoutAnnotations<T extends KubeObject>(obj: T, keys: readonly string[]): T {
  return withAnnotations(obj, Object.fromEntries(keys.map((k) => [k, undefined])));
}
