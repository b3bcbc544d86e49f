/**
 * Which resources the watch cache serves and how each is keyed and selected: the root
 * the generic store writes under, the definition's selectable fields and indexes.
 */
import { resourceRoot } from '../registry/generic/keys.js';
import { selectionAttributes } from '../registry/generic/predicate.js';
import type { ResourceDefinition } from '../registry/rest/definition.js';
import { storageView } from '../registry/rest/served.js';
import type { CachedObjectStore, WatchCache } from '../storage/cache/watch-cache.js';

/** `group/resource` of every `--watch-cache-sizes` entry with size 0 (`pods#0`, `deployments.apps#0`). */
export function uncachedResources(sizes: readonly string[]): Set<string> {
  const off = new Set<string>();
  for (const entry of sizes) {
    const [name = '', size] = entry.split('#');
    if (Number(size) !== 0) continue;
    const dot = name.indexOf('.');
    off.add(dot < 0 ? `/${name}` : `${name.slice(dot + 1)}/${name.slice(0, dot)}`);
  }
  return off;
}

/** The cached store of one stored resource. */
export function cachedStore(cache: WatchCache, prefix: string, def: ResourceDefinition): CachedObjectStore {
  const view = storageView(def);
  return cache.forResource({
    root: resourceRoot(prefix, view),
    group: def.group,
    resource: def.resource,
    namespaced: view.namespaced,
    attributes: selectionAttributes(view),
    ...(def.indexedFields ? { indexedFields: def.indexedFields } : {}),
  });
}
