/**
 * Storage keys in upstream's layout: `<prefix>/<storagePath ?? resource>/<namespace>/<name>`
 * for a namespaced resource, `<prefix>/<storagePath ?? resource>/<name>` for a cluster-scoped
 * one. Plain functions of (prefix, resource), so anything that reads storage by key (a watch
 * cache) keys objects exactly as the generic store writes them.
 *
 * Names and namespaces become key segments: one that could make a key alias another is a
 * 400 before storage is touched (upstream's NamespaceKeyFunc / NoNamespaceKeyFunc).
 */
import { badRequest } from '../../machinery/errors/index.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import type { ServedResource } from '../rest/served.js';

/** What keying needs to know of a resource. */
export type KeyedResource = Pick<ServedResource, 'resource' | 'storagePath' | 'namespaced'>;

/** The prefix under which every object of the resource is stored; ends with `/`. */
export function resourceRoot(prefix: string, res: KeyedResource): string {
  return `${prefix.replace(/\/$/, '')}/${res.storagePath ?? res.resource}/`;
}

/**
 * The key of one object. A namespaced resource without a namespace is a 400
 * (`Namespace parameter required.`), never `<root>/<name>`; a cluster-scoped resource
 * ignores the namespace.
 */
export function objectKey(prefix: string, res: KeyedResource, namespace: string | undefined, name: string): string {
  const root = resourceRoot(prefix, res);
  checkPathSegment('Name', name);
  if (!res.namespaced) return `${root}${name}`;
  if (!namespace) throw badRequest('Namespace parameter required.');
  checkPathSegment('Namespace', namespace);
  return `${root}${namespace}/${name}`;
}

/**
 * The prefix a list or watch reads: one namespace's objects, or every object of the
 * resource (no namespace, or a cluster-scoped resource). Ends with `/`, so `ns` never
 * matches `ns2`.
 */
export function collectionPrefix(prefix: string, res: KeyedResource, namespace: string | undefined): string {
  const root = resourceRoot(prefix, res);
  if (!res.namespaced || !namespace) return root;
  checkPathSegment('Namespace', namespace);
  return `${root}${namespace}/`;
}

/** `.`, `..`, `/` and `%` in a name or namespace are a 400 naming the parameter. */
export function checkPathSegment(what: 'Name' | 'Namespace', value: string): void {
  const problems = pathSegmentNameProblems(value);
  if (problems.length) throw badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${problems.join(';')}`);
}
