/**
 * resource.Quantity text: parsing and the canonical form kube-apiserver writes.
 *
 * A quantity is a signed decimal number with an optional suffix in one of three
 * families (formats): decimal SI (n u m "" k M G T P E), binary SI (Ki Mi Gi Ti
 * Pi Ei) or a decimal exponent (e3, E-2). The canonical text keeps the family
 * of the input and picks the largest suffix that leaves an integer mantissa
 * ("1000m" -> "1", "0.5" -> "500m", "1024Mi" -> "1Gi"). Like upstream, input
 * that is already canonical keeps its exact spelling, fractions finer than a
 * nano unit round away from zero, and binary values below 1024 (or with a
 * fractional part) are written in decimal SI.
 *
 * Values are exact: an unscaled BigInt and a power-of-ten scale.
 */

/** The three suffix families. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Upstream's message for text that is not a quantity at all. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's message for a number followed by an unknown suffix. */
export const QUANTITY_SUFFIX_MESSAGE = "unable to parse quantity's suffix";
/** Upstream's message for a number part that cannot be read. */
export const QUANTITY_NUMERIC_MESSAGE = 'unable to parse numeric part of quantity';

/** A quantity string that Kubernetes would reject; `message` is upstream's wording. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

/** An exact quantity: unscaled * 10^scale, plus the family it is written in. */
export interface ParsedQuantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  /** Set when the input was already canonical: upstream re-emits it verbatim. */
  readonly verbatim?: string;
}

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const DECIMAL_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map([...BINARY_SUFFIXES].map(([s, e]) => [e, s]));

const SUFFIX_CHARS = 'eEinumkKMGTP';
const INT64_MAX = (1n << 63n) - 1n;
/** Digits an int64 always holds; longer numbers take the exact (big) path. */
const MAX_INT64_DIGITS = 18;
/** Finest scale kept: one nano unit. */
const NANO_SCALE = -9;

interface Scanned {
  positive: boolean;
  /** The numeric text as written (sign, digits, point). */
  value: string;
  /** Integer digits without leading zeros ("0" when none). */
  num: string;
  /** Fraction digits. */
  denom: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Splits text into sign, integer digits, fraction digits and suffix, as upstream's scanner does. */
function scan(text: string): Scanned {
  const end = text.length;
  let pos = 0;
  let positive = true;
  if (text[0] === '-') {
    positive = false;
    pos++;
  } else if (text[0] === '+') {
    pos++;
  }
  while (pos < end && text[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };

  const numStart = pos;
  while (pos < end && isDigit(text[pos])) pos++;
  let num = text.slice(numStart, pos);
  if (pos >= end) return { positive, value: text, num, denom: '', suffix: '' };
  if (num === '') num = '0';

  let denom = '';
  if (text[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(text[pos])) pos++;
    denom = text.slice(denomStart, pos);
    if (pos >= end) return { positive, value: text, num, denom, suffix: '' };
  }
  const value = text.slice(0, pos);

  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(text[pos]!)) pos++;
  if (pos < end && (text[pos] === '-' || text[pos] === '+')) pos++;
  while (pos < end && isDigit(text[pos])) pos++;
  if (pos < end) throw new QuantityParseError(QUANTITY_FORMAT_MESSAGE);
  return { positive, value, num, denom, suffix: text.slice(suffixStart) };
}

interface Suffix {
  base: 10 | 2;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(suffix: string): Suffix {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Number.isSafeInteger(exponent) && Math.abs(exponent) <= 0x7fffffff) {
      return { base: 10, exponent, format: 'DecimalExponent' };
    }
  }
  throw new QuantityParseError(QUANTITY_SUFFIX_MESSAGE);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Divides by 10^digits, rounding the magnitude up (away from zero). */
function roundAwayFromZero(v: bigint, digits: number): bigint {
  if (v === 0n) return 0n;
  // Dividing by more digits than v has leaves a fraction below one unit.
  if (digits > abs(v).toString().length) return v < 0n ? -1n : 1n;
  const divisor = 10n ** BigInt(digits);
  const q = v / divisor;
  if (q * divisor === v) return q;
  return v < 0n ? q - 1n : q + 1n;
}

/**
 * Parses quantity text (already trimmed). Throws QuantityParseError with
 * upstream's message when Kubernetes would reject it.
 */
export function parseQuantity(text: string): ParsedQuantity {
  if (text === '') throw new QuantityParseError(QUANTITY_FORMAT_MESSAGE);
  if (text === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', verbatim: '0' };
  const { positive, value, num, denom, suffix } = scan(text);
  const { base, exponent, format } = interpretSuffix(suffix);

  // Small values: an exact int64 mantissa; canonical spellings are kept verbatim.
  let precision: number;
  let scale = 0;
  let multiplier = 1n;
  if (base === 10) {
    scale = exponent;
    precision = MAX_INT64_DIGITS - (num.length + denom.length);
  } else if (exponent >= 0 && denom.length === 0) {
    multiplier = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= NANO_SCALE) {
      const shifted = num + denom;
      const digits = BigInt(shifted);
      const magnitude = digits * multiplier;
      if (magnitude <= INT64_MAX) {
        const unscaled = positive ? magnitude : -magnitude;
        const canonical =
          format === 'BinarySI'
            ? exponent % 10 === 0 && (digits & 7n) !== 0n
            : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return canonical ? { unscaled, scale, format, verbatim: text } : { unscaled, scale, format };
      }
    }
  }

  // Everything else: exact arithmetic, rounded up to a nano unit.
  const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new QuantityParseError(QUANTITY_NUMERIC_MESSAGE);
  const fraction = match[3] ?? '';
  let unscaled = BigInt((match[2] ?? '') + fraction || '0');
  if (match[1] === '-') unscaled = -unscaled;
  let exp10 = -fraction.length;
  if (base === 10) exp10 += exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (exp10 < NANO_SCALE) {
    unscaled = roundAwayFromZero(unscaled, NANO_SCALE - exp10);
    exp10 = NANO_SCALE;
  }
  let outFormat = format;
  if (format === 'BinarySI') {
    // Binary quantities are capped at the int64 range.
    const max = exp10 >= 0 ? INT64_MAX : INT64_MAX * 10n ** BigInt(-exp10);
    const magnitudeScaled = exp10 >= 0 ? abs(unscaled) * 10n ** BigInt(exp10) : abs(unscaled);
    if (magnitudeScaled > max) {
      unscaled = unscaled < 0n ? -INT64_MAX : INT64_MAX;
      exp10 = 0;
    }
    if (unscaled !== 0n && exp10 < 0 && abs(unscaled) < 10n ** BigInt(-exp10)) outFormat = 'DecimalSI';
  }
  return { unscaled, scale: exp10, format: outFormat };
}

/** Mantissa and power-of-ten exponent, the exponent a multiple of 3. */
function decimalParts(unscaled: bigint, scale: number): [bigint, number] {
  let mantissa = unscaled;
  let exponent = scale;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  return [mantissa, exponent];
}

function formatDecimal(unscaled: bigint, scale: number, format: QuantityFormat): string {
  const [mantissa, exponent] = decimalParts(unscaled, scale);
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_BY_EXPONENT.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/** The integer value when unscaled * 10^scale has no fractional part. */
function exactInteger(unscaled: bigint, scale: number): bigint | undefined {
  if (scale >= 0) return unscaled * 10n ** BigInt(scale);
  const divisor = 10n ** BigInt(-scale);
  return unscaled % divisor === 0n ? unscaled / divisor : undefined;
}

/** The canonical text of a parsed quantity (what kube-apiserver writes). */
export function formatQuantity(q: ParsedQuantity): string {
  if (q.verbatim !== undefined) return q.verbatim;
  if (q.unscaled === 0n) return '0';
  if (q.format === 'BinarySI') {
    const integer = exactInteger(q.unscaled, q.scale);
    if (integer !== undefined && abs(integer) >= 1024n) {
      let mantissa = integer;
      let exponent = 0;
      while (abs(mantissa) >= 1024n && mantissa % 1024n === 0n) {
        mantissa /= 1024n;
        exponent += 10;
      }
      return `${mantissa}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
    }
    return formatDecimal(q.unscaled, q.scale, 'DecimalSI');
  }
  return formatDecimal(q.unscaled, q.scale, q.format);
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 4096;

/**
 * Canonical text of a quantity string, as kube-apiserver would echo it.
 * Leading/trailing whitespace is ignored. Throws QuantityParseError.
 */
export function canonicalizeQuantity(text: string): string {
  const trimmed = text.trim();
  const hit = cache.get(trimmed);
  if (hit !== undefined) return hit;
  const canonical = formatQuantity(parseQuantity(trimmed));
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(trimmed, canonical);
  return canonical;
}
