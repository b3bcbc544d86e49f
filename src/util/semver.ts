/**
 * Semantic versions as the Go library upstream validates them with (blang/semver v4's
 * strict Parse): MAJOR.MINOR.PATCH, numbers without leading zeros, an optional
 * `-prerelease` of dot-separated identifiers and an optional `+build`; no leading `v`.
 */

/** A parsed version; the zero version is 0.0.0 with no prerelease. */
export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Prerelease identifiers: numbers as bigint, the rest as strings. */
  pre: Array<bigint | string>;
}

export const ZERO_SEMVER: SemVer = { major: 0n, minor: 0n, patch: 0n, pre: [] };

const DIGITS = /^[0-9]+$/;
const IDENT = /^[0-9A-Za-z-]+$/;

function number(s: string): bigint | undefined {
  if (!DIGITS.test(s) || (s.length > 1 && s.startsWith('0'))) return undefined;
  const n = BigInt(s);
  // Go parses each part as a uint64.
  return n <= 0xffffffffffffffffn ? n : undefined;
}

/** The version `s` names, or undefined when it is not a strict semantic version. */
export function parseSemver(s: string): SemVer | undefined {
  if (s === '') return undefined;
  const parts = s.split('.');
  if (parts.length < 3) return undefined;
  const [majorText = '', minorText = ''] = parts;
  // The patch part runs to the end: it carries any prerelease and build, dots included.
  let rest = parts.slice(2).join('.');
  const major = number(majorText);
  const minor = number(minorText);
  if (major === undefined || minor === undefined) return undefined;
  const plus = rest.indexOf('+');
  if (plus !== -1) {
    const build = rest.slice(plus + 1).split('.');
    if (build.some((b) => !IDENT.test(b))) return undefined;
    rest = rest.slice(0, plus);
  }
  const pre: Array<bigint | string> = [];
  const dash = rest.indexOf('-');
  if (dash !== -1) {
    for (const id of rest.slice(dash + 1).split('.')) {
      if (!IDENT.test(id)) return undefined;
      if (DIGITS.test(id)) {
        const n = number(id);
        if (n === undefined) return undefined;
        pre.push(n);
      } else pre.push(id);
    }
    rest = rest.slice(0, dash);
  }
  const patch = number(rest);
  if (patch === undefined) return undefined;
  return { major, minor, patch, pre };
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Semantic version precedence: -1, 0 or 1 (build metadata never counts). */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (core !== 0) return core;
  // A version without a prerelease ranks above every prerelease of it.
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i] as bigint | string;
    const y = b.pre[i] as bigint | string;
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      const c = cmp(x, y);
      if (c !== 0) return c;
    } else if (typeof x === 'bigint') return -1;
    else if (typeof y === 'bigint') return 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return Math.sign(a.pre.length - b.pre.length);
}
