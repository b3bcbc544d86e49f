/**
 * The client's addresses as upstream's SourceIPs reads them: the `X-Forwarded-For` entries, then
 * `X-Real-Ip`, then the connection's peer unless already named; whatever is not an IP is skipped.
 */
import { isIP } from 'node:net';

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1, as Go reports it. */
function plainIP(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/** `header(name)` gives a header's values (lowercase names); `peer` is the socket's remote address. */
export function sourceIPs(header: (name: string) => string[], peer: string | undefined): string[] {
  const ips: string[] = [];
  const add = (candidate: string): void => {
    const ip = plainIP(candidate);
    if (isIP(ip) && !ips.includes(ip)) ips.push(ip);
  };
  for (const value of header('x-forwarded-for')) for (const part of value.split(',')) add(part);
  for (const value of header('x-real-ip')) add(value);
  if (peer) add(peer);
  return ips;
}

/** The address of a grpc-js peer string (`ipv4:127.0.0.1:5000`, `[::1]:5000`, `127.0.0.1:5000`). */
export function peerAddress(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  const colon = bare.lastIndexOf(':');
  // One colon: host:port. Several without brackets: an IPv6 address without a port.
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}
