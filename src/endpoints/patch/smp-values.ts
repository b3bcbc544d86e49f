/**
 * JSON value helpers for strategic merge patch: type identity and equality the way Go sees
 * decoded JSON (integers and floats are distinct types), and Go's `%v` rendering for messages.
 */

/** A decoded JSON object. */
export type JsonMap = Record<string, unknown>;

/** Whether `v` is a JSON object (not an array, not null). */
export function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The Go type a decoded JSON value has (`map[string]interface {}`, `[]interface {}`, `int64`, …). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return typeof v;
  }
}

/** Go's `==` on two scalars held in interfaces: same type and same value. */
export function scalarEqual(a: unknown, b: unknown): boolean {
  return a === b && goTypeName(a) === goTypeName(b);
}

function goNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`, … (map keys sorted). */
export function goValueString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueString).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValueString(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}
