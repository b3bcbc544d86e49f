/** JSON merge patch (RFC 7386): objects merge recursively, `null` deletes, everything else replaces. */
import { setOwn } from '../../util/own-property.js';

/** Applies a merge patch to a JSON value and returns the result (inputs are not mutated). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else setOwn(base, key, applyMergePatch(Object.hasOwn(base, key) ? base[key] : undefined, value));
  }
  return base;
}
