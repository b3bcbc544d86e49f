/**
 * Keys from a request are data, never object machinery: `obj[key] = v` with key
 * `__proto__` would set the object's prototype instead of adding the key (dropping a
 * label or ConfigMap key called `__proto__`, or grafting the sent object under another
 * one). Writing such keys as own properties keeps them plain keys, as Go's maps do.
 */

/** Sets `key` on `target` as an own, enumerable property, whatever the key. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
