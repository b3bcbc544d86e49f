/**
 * Go time.Duration text form ("1h2m3.5s", "150ms", "0s"), which meta/v1 Duration
 * uses in JSON. Values are nanoseconds.
 */

const NS_PER = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
} as const;

/** Digits of `v mod 10^prec` as a fraction with trailing zeros removed ("" when zero). */
function fraction(v: number, prec: number): string {
  const unit = 10 ** prec;
  const rem = v % unit;
  if (rem === 0) return '';
  return '.' + String(rem).padStart(prec, '0').replace(/0+$/, '');
}

/** Formats nanoseconds exactly like Go's Duration.String(). */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let u = Math.abs(Math.trunc(nanoseconds));
  if (u < 1e9) {
    if (u < 1e3) return `${sign}${u}ns`;
    if (u < 1e6) return `${sign}${Math.floor(u / 1e3)}${fraction(u, 3)}µs`;
    return `${sign}${Math.floor(u / 1e6)}${fraction(u, 6)}ms`;
  }
  const frac = fraction(u, 9);
  u = Math.floor(u / 1e9);
  let text = `${u % 60}${frac}s`;
  u = Math.floor(u / 60);
  if (u > 0) {
    text = `${u % 60}m${text}`;
    u = Math.floor(u / 60);
    if (u > 0) text = `${u}h${text}`;
  }
  return sign + text;
}

const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Parses Go's duration syntax into nanoseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    const [whole, intPart = '', fracPart, unit] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return undefined;
    const scale = NS_PER[unit as keyof typeof NS_PER];
    total += Number(intPart || '0') * scale;
    if (fracPart) total += Math.round(Number(`0.${fracPart}`) * scale);
    rest = rest.slice(whole.length);
  }
  return sign * total;
}
