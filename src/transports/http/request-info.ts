/**
 * Parses an API path into what the request addresses (apiserver's RequestInfo):
 * `/api/v1/namespaces/NS/RESOURCE/NAME/SUBRESOURCE` and `/apis/GROUP/VERSION/...`.
 */

import { badRequest } from '../../machinery/errors/index.js';

/** Subresources of a namespace itself: `/namespaces/NAME/status` is not a resource named "status" in NAME. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** A resource request's coordinates. */
export interface ResourceRequestInfo {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** A proxy request's path below `/proxy`, cleaned (see {@link cleanProxyPath}). */
  proxyPath?: string;
  /** A proxy request's path up to and including `/proxy`, as sent. */
  proxyPrefix?: string;
}

/**
 * Returns the coordinates for a resource path, or undefined for anything else
 * (discovery documents, non-resource endpoints).
 */
export function parseResourcePath(path: string): ResourceRequestInfo | undefined {
  const proxy = splitProxyPath(path);
  if (proxy) {
    const info = parseCoordinates(proxy.head);
    if (!info || info.subresource !== 'proxy') return undefined;
    return { ...info, proxyPath: cleanProxyPath(proxy.tail), proxyPrefix: proxy.head };
  }
  return parseCoordinates(path);
}

function parseCoordinates(path: string): ResourceRequestInfo | undefined {
  // One trailing slash is tolerated; an empty segment inside the path (`//`) addresses nothing.
  const raw = path.replace(/^\//, '').replace(/\/$/, '').split('/');
  if (raw.some((p) => p.length === 0)) return undefined;
  const parts = raw.map(decodeSegment);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  const info: ResourceRequestInfo = { group, version, resource: '' };
  // /namespaces/NS/RESOURCE/... addresses namespaced resources; /namespaces and
  // /namespaces/NAME[/status|/finalize] address the namespaces resource itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) {
    info.namespace = rest[1] as string;
    rest = rest.slice(2);
  }
  info.resource = rest[0] as string;
  if (rest.length >= 2) info.name = rest[1] as string;
  if (rest.length >= 3) info.subresource = rest.slice(2).join('/');
  return info;
}

/** Percent-decodes one path segment; malformed escapes are the client's error, not ours. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}

/** Whether a path addresses a `proxy` subresource (its body then streams to the backend). */
export function isProxyPath(path: string): boolean {
  return splitProxyPath(path) !== undefined;
}

/**
 * Splits `…/NAME/proxy/REST` into the resource path and the raw segments after `proxy`,
 * where `proxy` stands at the subresource's place; undefined for any other path.
 */
function splitProxyPath(path: string): { head: string; tail: string[] } | undefined {
  // Most paths name no proxy: no `proxy` segment, nothing to split.
  if (!path.includes('/proxy')) return undefined;
  const raw = path.replace(/^\//, '').split('/');
  let at: number;
  if (raw[0] === 'api') at = 2;
  else if (raw[0] === 'apis') at = 3;
  else return undefined;
  if (raw[at] === 'namespaces' && raw.length >= at + 3 && !NAMESPACE_SUBRESOURCES.has(raw[at + 2] as string)) at += 2;
  if (raw[at + 2] !== 'proxy') return undefined;
  return { head: '/' + raw.slice(0, at + 3).join('/'), tail: raw.slice(at + 3) };
}

/** Characters a path segment keeps unescaped beside encodeURIComponent's. */
const SEGMENT_SAFE: Readonly<Record<string, string>> = { '%24': '$', '%26': '&', '%2B': '+', '%2C': ',', '%3B': ';', '%3D': '=', '%3A': ':', '%40': '@' };

/**
 * The backend path of a proxy request: segments percent-decoded (so `%2e%2e` and `%2F`
 * count as what they spell), empty, `.` and `..` segments resolved without ever rising
 * above the root, then re-encoded; a trailing slash is kept. The result always starts
 * with a single `/`, so it can only ever name a path on the address the objects gave.
 */
export function cleanProxyPath(tail: string[]): string {
  const out: string[] = [];
  const decoded = tail.map(decodeSegment).join('/').split('/');
  for (const seg of decoded) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const last = decoded[decoded.length - 1];
  const trailing = out.length > 0 && (last === '' || last === '.' || last === '..');
  const encoded = out.map((seg) => encodeURIComponent(seg).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (m) => SEGMENT_SAFE[m] ?? m));
  return '/' + encoded.join('/') + (trailing ? '/' : '');
}
