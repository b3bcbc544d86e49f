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
}

/**
 * Returns the coordinates for a resource path, or undefined for anything else
 * (discovery documents, non-resource endpoints).
 */
export function parseResourcePath(path: string): ResourceRequestInfo | undefined {
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
