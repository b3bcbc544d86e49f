/**
 * Which resource a call addresses and whether its scope fits: namespaced resources are
 * reached per namespace (reads also across namespaces), cluster-scoped ones never in a
 * namespace; collections take create and deletecollection, single objects the rest.
 */
import { ApiError, methodNotAllowed } from '../../machinery/errors/index.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import type { ApiCall, Verb } from '../api-call.js';
import type { ApiCatalog } from '../catalog.js';
import { resourceVerbs, subresources } from '../verbs.js';

/** The 404 upstream answers for paths it does not serve. */
export function resourceNotFound(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {});
}

/** The store a call addresses, or 404. */
export function lookupResource(catalog: ApiCatalog, call: ApiCall): ResourceStore {
  const store = catalog.hasGroupVersion(call.group, call.version) ? catalog.resource(call.group, call.version, call.resource) : undefined;
  if (!store) throw resourceNotFound();
  return store;
}

/** Throws upstream's 404 or 405 when the call's scope, name or verb does not fit the resource. */
export function checkScope(store: ResourceStore, call: ApiCall, verb: Verb | undefined): Verb {
  const def = store.definition;
  const qualified = { resource: call.subresource ? `${def.resource}/${call.subresource}` : def.resource, group: def.group };
  if (!def.namespaced && call.namespace !== undefined) throw resourceNotFound();
  if (!verb) throw methodNotAllowed('method' in call.action ? call.action.method : 'unknown', { resource: def.resource, group: def.group });
  const named = call.name !== undefined;
  const clusterWide = def.namespaced && call.namespace === undefined;
  // Creating and deleting collections needs the namespace; reads may span namespaces.
  if (clusterWide && !named && (verb === 'create' || verb === 'deletecollection')) throw resourceNotFound();
  // Connect (proxy) and action (binding, eviction, token) subresources take a POST to a named object.
  const namedCreate = call.subresource !== undefined && subresources(def).some((s) => s.name === call.subresource && (s.connect || s.action));
  if ((verb === 'create' && named && !namedCreate) || ((verb === 'update' || verb === 'patch') && !named)) throw methodNotAllowed(verb, qualified);
  if (clusterWide && named) throw resourceNotFound();
  if (call.subresource) {
    const sub = subresources(def).find((s) => s.name === call.subresource);
    if (!sub || !named) throw resourceNotFound();
    if (!sub.verbs.includes(verb)) throw methodNotAllowed(verb, qualified);
  } else if (!resourceVerbs(def).includes(verb)) {
    throw methodNotAllowed(verb, qualified);
  }
  return verb;
}
