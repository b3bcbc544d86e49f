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
