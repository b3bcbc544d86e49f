/**
 * Exact arithmetic on resource.Quantity text for the resource plugins (LimitRanger,
 * ResourceQuota): sums keep the first operand's format, as Go's Quantity.Add does, and print
 * in the canonical form.
 */
import { formatQuantity, parseQuantity, QuantityParseError, type ParsedQuantity } from '../../machinery/schema/index.js';

/** A resource name → quantity map (core/v1 ResourceList). */
export type ResourceList = Record<string, string>;

function parse(text: string): ParsedQuantity | undefined {
  try {
    return parseQuantity(text.trim());
  } catch (err) {
    if (err instanceof QuantityParseError) return undefined;
    throw err;
  }
}

function aligned(a: ParsedQuantity, b: ParsedQuantity): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.unscaled * 10n ** BigInt(a.scale - scale), b.unscaled * 10n ** BigInt(b.scale - scale), scale];
}

/** -1, 0 or 1 by value (text that does not parse counts as 0). */
export function compareQuantity(a: string, b: string): number {
  const x = parse(a) ?? ZERO;
  const y = parse(b) ?? ZERO;
  const [xv, yv] = aligned(x, y);
  return xv < yv ? -1 : xv > yv ? 1 : 0;
}

const ZERO: ParsedQuantity = { unscaled: 0n, scale: 0, format: 'DecimalSI' };

/** a + b, printed canonically in a's format (b's when a is absent). */
export function addQuantity(a: string | undefined, b: string): string {
  const y = parse(b) ?? ZERO;
  if (a === undefined) return formatQuantity({ unscaled: y.unscaled, scale: y.scale, format: y.format });
  const x = parse(a) ?? ZERO;
  const [xv, yv, scale] = aligned(x, y);
  return formatQuantity({ unscaled: xv + yv, scale, format: x.unscaled === 0n && a === '0' ? y.format : x.format });
}

/** The larger of a and b (a when equal). */
export function maxQuantity(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  return compareQuantity(b, a) > 0 ? b : a;
}

/** The value as a float, in milli-units when it fits (LimitRanger's ratio). */
export function quantityValue(text: string): number {
  const q = parse(text) ?? ZERO;
  return Number(q.unscaled) * 10 ** q.scale;
}

/** a + b key by key (keys of either). */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = addQuantity(out[k], v);
  return out;
}

/** `a=1,b=2`: a ResourceList as upstream's quota messages print it (keys sorted). */
export function prettyList(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k]}`)
    .join(',');
}
