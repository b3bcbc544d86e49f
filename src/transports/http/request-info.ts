/**
 * Parses an API path into what the request addresses (apiserver's RequestInfo):
 * `/api/v1/namespaces/NS/RESOURCE/NAME/SUBRESOURCE` and `/apis/GROUP/VERSION/...`.
 */

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
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
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
