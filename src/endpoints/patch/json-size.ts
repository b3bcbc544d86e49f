/**
 * The size of a JSON value as encoding/json would write it, measured without building the
 * text and without recursion, and given up as soon as it passes a bound: sizing a value
 * costs no more than the bound however large the value is.
 */

/** Bytes `value` takes as compact JSON, or `Infinity` once that is more than `limit`. */
export function jsonSizeWithin(value: unknown, limit: number): number {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (v === null || v === undefined) size += 4;
    else if (typeof v === 'string') size += Buffer.byteLength(v, 'utf8') + 2 + escapes(v);
    else if (typeof v === 'number') size += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') size += v ? 4 : 5;
    else if (Array.isArray(v)) {
      size += 2 + Math.max(0, v.length - 1);
      for (const item of v) pending.push(item);
    } else if (typeof v === 'object') {
      const keys = Object.keys(v);
      size += 2 + Math.max(0, keys.length - 1);
      for (const k of keys) {
        size += Buffer.byteLength(k, 'utf8') + 3 + escapes(k);
        pending.push((v as Record<string, unknown>)[k]);
      }
    }
    if (size > limit) return Infinity;
  }
  return size;
}

/** Extra bytes escaping adds to a string: quotes, backslashes and control characters. */
function escapes(s: string): number {
  let extra = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) extra += 1;
    else if (c < 0x20) extra += 5;
  }
  return extra;
}
