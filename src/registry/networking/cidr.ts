/** CIDR parsing for NetworkPolicy IP blocks: address family, prefix length and base address. */
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedCidr {
  family: 4 | 6;
  bits: number;
  prefix: number;
  /** The address with the bits past the prefix cleared. */
  base: bigint;
}

const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function ipv6ToBigInt(addr: string): bigint {
  let text = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The CIDR, or undefined when it is not one (an address, a prefix, nothing else). */
export function parseCidr(value: string): ParsedCidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const addr = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  let family: 4 | 6;
  let n: bigint;
  if (isIPv4(addr)) {
    family = 4;
    n = addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  } else if (isIPv6(addr) && !addr.includes('%')) {
    family = 6;
    n = ipv6ToBigInt(addr);
  } else return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const host = BigInt(bits - prefix);
  return { family, bits, prefix, base: (n >> host) << host };
}

/** Problems with `value` as a CIDR, in upstream's wording. */
export function cidrProblems(value: string): string[] {
  return parseCidr(value) ? [] : [CIDR_MESSAGE];
}
