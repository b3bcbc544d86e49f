/** resource.Quantity strings (`100m`, `1Gi`, `2e3`) as numbers, for comparisons in validation. */
import { parseQuantity as parseExact, QuantityParseError } from '../schema/quantity.js';

export { QUANTITY_FORMAT_MESSAGE } from '../schema/quantity.js';

/** The quantity's value (approximate as a JS number), or undefined when it is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  try {
    const q = parseExact(value);
    return Number(q.unscaled) * 10 ** q.scale;
  } catch (err) {
    if (err instanceof QuantityParseError) return undefined;
    throw err;
  }
}
