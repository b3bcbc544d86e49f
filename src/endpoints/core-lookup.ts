/** Reads a core/v1 object by resource, namespace and name through the catalog: undefined when it is not there. */
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import type { ApiCatalog } from './catalog.js';

export type CoreObjectLookup = (resource: string, namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

/** The lookup the proxy (a Service's Endpoints and Pods) and service account tokens (accounts, bound objects) use. */
export function coreObjectLookup(catalog: ApiCatalog): CoreObjectLookup {
  return async (resource, namespace, name) => {
    const store = catalog.resource('', 'v1', resource);
    if (!store) return undefined;
    try {
      return await store.get(namespace, name);
    } catch (err) {
      if (err instanceof ApiError && err.status.reason === 'NotFound') return undefined;
      throw err;
    }
  };
}
