/**
 * Small helpers for reading and defaulting Kubernetes JSON inside strategies: typed
 * defaulting over the generated interfaces (`child`, `setDefault`), and guards that keep
 * a strategy safe on values whose runtime type may differ from the declared one.
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** The value as a JSON object, or undefined when it is not one. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The value as a string map (non-string values are skipped), or {}. */
export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(value) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * `parent[key]`, created as `{}` when missing (or not an object). For object-valued fields
 * of the generated Kubernetes JSON interfaces, whose members are all optional, so `{}` is
 * a valid value of every such field.
 */
export function child<T extends object, K extends keyof T>(parent: T, key: K): NonNullable<T[K]> {
  const existing = parent[key];
  if (asObject(existing)) return existing as NonNullable<T[K]>;
  const created = {} as NonNullable<T[K]>;
  parent[key] = created;
  return created;
}

/** Sets `obj[key] = value` when the field is absent (undefined or null). */
export function setDefault<T extends object, K extends keyof T>(obj: T, key: K, value: NonNullable<T[K]>): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** The value as a string, or '' when it is not one. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The value as a number, or undefined when it is not one. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
