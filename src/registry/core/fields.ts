/**
 * Small helpers for reading and defaulting plain Kubernetes JSON inside strategies.
 * Objects are untyped JSON, so every access goes through these guards.
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** The value as a JSON object, or undefined when it is not one. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The value as an array of JSON objects (non-objects are skipped), or []. */
export function asObjects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.map(asObject).filter((v): v is JsonObject => v !== undefined) : [];
}

/** The value as a string map (non-string values are skipped), or {}. */
export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(value) ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `parent[key]` as an object, created (as `{}`) when missing or not an object. */
export function child(parent: JsonObject, key: string): JsonObject {
  const existing = asObject(parent[key]);
  if (existing) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** Sets `obj[key] = value` when the field is absent (undefined or null). */
export function setDefault(obj: JsonObject, key: string, value: unknown): void {
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

/** Whether the value is an integer (JSON numbers may arrive as floats). */
export function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
