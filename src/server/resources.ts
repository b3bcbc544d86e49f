/**
 * Installing resources into a running server: one generic store per resource at its
 * storage version, a view per version the runtime-config serves, every version's kind in
 * the scheme. Built-in resources are installed at start; a resource installed later (a
 * custom resource) goes through the same steps, and uninstalling it removes it from the
 * catalog (so from discovery, OpenAPI and routes) and from the scheme. Stored objects stay.
 */
import type { ApiCatalog } from '../endpoints/catalog.js';
import type { Scheme } from '../machinery/runtime/scheme.js';
import { createComputedStore } from '../registry/generic/computed-store.js';
import { createGenericStore } from '../registry/generic/store.js';
import type { AdmissionChain } from '../registry/rest/admission.js';
import { versionView } from '../registry/generic/version-view.js';
import type { AllocationRanges, ResourceDefinition, ReviewAccess } from '../registry/rest/definition.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { servedViews, storageView } from '../registry/rest/served.js';
import { resourceRoot } from '../registry/generic/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { isServed, parseRuntimeConfig } from './runtime-config.js';

/** What installing resources needs. */
export interface ResourceInstallerOptions {
  objects: ObjectStore;
  /** Storage key prefix, e.g. `/registry`. */
  prefix: string;
  runtimeConfig: string;
  catalog: ApiCatalog;
  scheme: Scheme;
  /** Validating admission for every stored resource's writes. */
  admission?: AdmissionChain;
  /** What allocators draw from (the Service ranges). */
  ranges?: AllocationRanges;
  /**
   * The object store a stored resource's registry uses (the watch cache's store for it);
   * absent or undefined: `objects`.
   */
  storeFor?: (def: ResourceDefinition) => (ObjectStore & { release?(): void }) | undefined;
  /** The storage backend's component name for computed resources (ComponentStatus); default `storage`. */
  storageComponent?: string;
  /** The access control the access reviews answer with (set once it exists). */
  access?: () => ReviewAccess | undefined;
  /**
   * Told of each stored resource's key root as it is installed (where encryption at rest
   * binds the resource's transformer); returns what undoes it at uninstall.
   */
  storedAt?: (def: ResourceDefinition, root: string) => () => void;
}

/** Installs and uninstalls resources. */
export interface ResourceInstaller {
  /** Serves `def`; returns the function that stops serving it. */
  install(def: ResourceDefinition): () => void;
  /** The storage-version store of a resource, served or not. */
  storage(group: string, resource: string): ResourceStore | undefined;
  /** Every installed stored resource's storage-version store (computed ones keep nothing to clean up or collect). */
  storageStores(): ResourceStore[];
}

/** A resource installer over one object store, catalog and scheme. */
export function createResourceInstaller(opts: ResourceInstallerOptions): ResourceInstaller {
  const config = parseRuntimeConfig(opts.runtimeConfig);
  const stores = new Map<string, ResourceStore>();
  return {
    install(def) {
      const key = `${def.group}/${def.resource}`;
      if (stores.has(key)) throw new Error(`${def.resource}.${def.group} is installed already`);
      // A store of the resource's own (its watch cache) is given back when it is uninstalled.
      const own = def.computed ? undefined : opts.storeFor?.(def);
      const genericOpts = {
        store: own ?? opts.objects,
        prefix: opts.prefix,
        ...(opts.admission ? { admission: opts.admission } : {}),
        ...(opts.ranges ? { ranges: opts.ranges } : {}),
        ...(opts.access ? { access: opts.access } : {}),
        storage: (g: string, r: string) => stores.get(`${g}/${r}`),
      };
      const store = def.computed
        ? createComputedStore(def, {
            store: opts.objects,
            storageComponent: opts.storageComponent ?? 'storage',
            storage: (g, r) => stores.get(`${g}/${r}`),
            ...(opts.access ? { access: opts.access } : {}),
          })
        : createGenericStore(def, genericOpts);
      const views = servedViews(def);
      const unstore = def.computed ? undefined : opts.storedAt?.(def, resourceRoot(opts.prefix, storageView(def)));
      const unscheme = opts.scheme.register(views.map((v) => v.schema));
      const served = views.filter((v) => isServed(config, v.group, v.version, v.resource, v.offByDefault)).map((v) => versionView(store, v));
      let uncatalog: () => void;
      try {
        uncatalog = opts.catalog.register(served);
      } catch (err) {
        unscheme();
        unstore?.();
        own?.release?.();
        throw err;
      }
      stores.set(key, store);
      return () => {
        if (stores.get(key) !== store) return;
        stores.delete(key);
        uncatalog();
        unscheme();
        unstore?.();
        own?.release?.();
      };
    },
    storage: (group, resource) => stores.get(`${group}/${resource}`),
    storageStores: () => [...stores.values()].filter((s) => !s.definition.computed),
  };
}
