/** ResourceList (resource name → quantity) helpers shared by LimitRange and ResourceQuota. */
import { parseQuantity, QuantityParseError } from '../../machinery/schema/index.js';

/** Compares two quantities by value; undefined when either does not parse. */
export function compareQuantities(a: string, b: string): number | undefined {
  try {
    const x = parseQuantity(a);
    const y = parseQuantity(b);
    const scale = Math.min(x.scale, y.scale);
    const xv = x.unscaled * 10n ** BigInt(x.scale - scale);
    const yv = y.unscaled * 10n ** BigInt(y.scale - scale);
    return xv < yv ? -1 : xv > yv ? 1 : 0;
  } catch (err) {
    if (err instanceof QuantityParseError) return undefined;
    throw err;
  }
}

/** The quantities of a ResourceList field (absent: empty). */
export function resourceList(value: Record<string, string> | undefined): Record<string, string> {
  return value ?? {};
}
