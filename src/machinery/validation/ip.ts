/** IP address checks with upstream's messages. */
import { isIP } from 'node:net';

/** An IPv4 or IPv6 address (no zones, no CIDR suffix). */
export function isValidIp(value: string): string[] {
  return isIP(value) === 0 || value.includes('%') ? ['must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)'] : [];
}

/** The address as a 32-bit number, or undefined when it is not IPv4. */
export function ipv4ToNumber(value: string): number | undefined {
  if (isIP(value) !== 4) return undefined;
  return value.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Dotted IPv4 from a 32-bit number. */
export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** An IPv4 address as ParseIPSloppy reads it (octets may carry leading zeros), or undefined. */
function sloppyIpv4(value: string): number[] | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** RFC 5952 text of an IPv6 address node accepts (lower case, the longest zero run compressed). */
function canonicalIpv6(value: string): string {
  return new URL(`http://[${value}]/`).hostname.slice(1, -1);
}

/** The 128-bit value of a canonical IPv6 text. */
function ipv6ToBigInt(canonical: string): bigint {
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return canonicalIpv6(groups.join(':'));
}

const isMappedV4 = (canonical: string): boolean => /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(canonical);

/**
 * apimachinery's IsValidIP: an address in canonical form (IPv4 without leading zeros,
 * IPv6 as RFC 5952 writes it, no IPv4-mapped IPv6), with upstream's messages.
 */
export function strictIpProblems(value: string): string[] {
  const v4 = sloppyIpv4(value);
  if (v4) return isIP(value) === 4 ? [] : ['must not have leading 0s'];
  if (isIP(value) !== 6 || value.includes('%')) return ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
  const canonical = canonicalIpv6(value);
  if (isMappedV4(canonical)) return ['must not be an IPv4-mapped IPv6 address'];
  return value === canonical ? [] : [`must be in canonical form (${JSON.stringify(canonical)})`];
}

/** The family (4 or 6) of an address or CIDR text, or undefined when it is neither. */
export function ipFamilyOf(value: string): 4 | 6 | undefined {
  const addr = value.includes('/') ? value.slice(0, value.indexOf('/')) : value;
  if (sloppyIpv4(addr)) return 4;
  return isIP(addr) === 6 ? 6 : undefined;
}

/**
 * apimachinery's IsValidCIDR: a subnet (no bits set past the prefix) in canonical form,
 * with upstream's messages.
 */
export function strictCidrProblems(value: string): string[] {
  const slash = value.indexOf('/');
  const addr = slash < 0 ? '' : value.slice(0, slash);
  const prefixText = slash < 0 ? '' : value.slice(slash + 1);
  const v4 = sloppyIpv4(addr);
  const family = v4 ? 4 : isIP(addr) === 6 && !addr.includes('%') ? 6 : undefined;
  const bits = family === 4 ? 32 : 128;
  if (family === undefined || !/^\d+$/.test(prefixText) || Number(prefixText) > bits) {
    return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  }
  const prefix = Number(prefixText);
  if ((v4 && isIP(addr) !== 4) || String(prefix) !== prefixText) return ['must not have leading 0s in IP or prefix length'];
  const host = BigInt(bits - prefix);
  if (v4) {
    const n = v4.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
    if ((n >> host) << host !== n) return ['must not have bits set beyond the prefix length'];
    return [];
  }
  const canonical = canonicalIpv6(addr);
  if (isMappedV4(canonical)) return ['must not have an IPv4-mapped IPv6 address'];
  const n = ipv6ToBigInt(canonical);
  const masked = (n >> host) << host;
  if (masked !== n) return ['must not have bits set beyond the prefix length'];
  const text = `${bigIntToIpv6(masked)}/${prefix}`;
  return value === text ? [] : [`must be in canonical form (${JSON.stringify(text)})`];
}

/** A CIDR's family, prefix length and base address (the bits past the prefix cleared). */
export interface ParsedCidr {
  family: 4 | 6;
  bits: number;
  prefix: number;
  base: bigint;
}

/** apimachinery's ParseCIDRSloppy: the CIDR, or undefined when it is not one. */
export function parseCidr(value: string): ParsedCidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const addr = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  let family: 4 | 6;
  let n: bigint;
  if (isIP(addr) === 4) {
    family = 4;
    n = addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  } else if (isIP(addr) === 6 && !addr.includes('%')) {
    family = 6;
    n = ipv6ToBigInt(canonicalIpv6(addr));
  } else return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const host = BigInt(bits - prefix);
  return { family, bits, prefix, base: (n >> host) << host };
}

/** Whether `outer` holds every address of `inner` (same family; an equal range counts). */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const host = BigInt(outer.bits - outer.prefix);
  return inner.base >> host === outer.base >> host;
}

/** An address as the one-address range holding it (a /32 or /128), or undefined. */
export function parseAddressRange(ip: string): ParsedCidr | undefined {
  const family = isIP(ip);
  return family === 0 ? undefined : parseCidr(`${ip}/${family === 4 ? 32 : 128}`);
}

/** Problems with `value` as a CIDR in the sloppy sense (NetworkPolicy ipBlocks), in upstream's wording. */
export function cidrProblems(value: string): string[] {
  return parseCidr(value) ? [] : ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
}
