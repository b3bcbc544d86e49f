/**
 * The `proxy` subresource (upstream's connect handler for services, pods and nodes): the
 * name `[scheme:]NAME[:PORT]` is split, the object read, its definition says which address
 * it names, and that address is checked against what may be dialled. The result tells the
 * transport where to stream the request; no byte of it passes through here.
 */
import { isIP } from 'node:net';
import { badRequest } from '../../machinery/errors/index.js';
import type { ProxyLookup, ProxyRequest } from '../../registry/rest/definition.js';
import type { ApiResult } from '../api-call.js';
import type { HandlerScope } from './context.js';

/** Upstream's SplitSchemeNamePort: `name`, `name:port` or `scheme:name:port`, scheme http, https or empty. */
export function splitSchemeNamePort(id: string): (ProxyRequest & { name: string }) | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0] as string;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (name === '' || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme, name, port };
}

function ipv4Octets(ip: string): number[] | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  return m ? m.slice(1).map(Number) : undefined;
}

/**
 * Whether the proxy may dial `ip`: a unicast address that is neither unspecified nor
 * link-local (upstream's IsProxyableIP), loopback only when the server allows it.
 */
export function isProxyableIp(ip: string, allowLoopback: boolean): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  const v4 = ipv4Octets(ip);
  if (v4) {
    const [a = 0, b = 0] = v4;
    if (a === 127) return allowLoopback;
    if (a === 0 || a >= 224) return false; // unspecified/"this network", multicast, reserved, broadcast
    if (a === 169 && b === 254) return false; // link-local
    return true;
  }
  const lower = ip.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return allowLoopback;
  if (/^(::|0:0:0:0:0:0:0:0)$/.test(lower)) return false;
  if (/^fe[89ab]/.test(lower)) return false; // link-local unicast
  if (/^ff/.test(lower)) return false; // multicast
  return true;
}

/** Settings the proxy honours. */
export interface ProxySettings {
  /** Loopback targets are refused unless this is set (local development and tests). */
  proxyAllowLoopback?: boolean;
}

/** Runs a proxy call: where the request goes, or the Status error upstream answers. */
export async function handleProxy(scope: HandlerScope, lookup: ProxyLookup): Promise<ApiResult> {
  const { call, store, settings } = scope;
  const def = store.definition;
  const proxy = def.proxy;
  const id = call.name ?? '';
  const request = splitSchemeNamePort(id);
  if (!proxy || !request) throw badRequest(`invalid ${def.singular} request ${JSON.stringify(id)}`);
  const obj = await store.get(call.namespace, request.name);
  const target = await proxy.locate(obj, request, lookup);
  if (!isProxyableIp(target.host, settings.proxyAllowLoopback === true)) throw badRequest('address not allowed');
  return { type: 'proxy', target: { ...target, path: call.proxyPath ?? '/' } };
}
