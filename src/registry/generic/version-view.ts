/**
 * A resource store at one served version: a converting view over the store that works
 * at the storage version. Requests arrive in the served version and are converted to the
 * storage version before strategies and storage see them; every object that comes back
 * (gets, lists, watch events, write results) is converted to the served version. An
 * update's updater sees and returns served-version objects, and runs again on each
 * compare-and-swap retry like any updater.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionRequest } from '../rest/admission.js';
import { definitionApiVersion } from '../rest/definition.js';
import { listItemsOf, materializeList, type GetQuery, type ItemList, type ListQuery, type ResourceStore, type WatchEvent } from '../rest/resource-store.js';
import { isStorageView, type ServedResource } from '../rest/served.js';

/** The store of `storage`'s resource as `served` shows it. */
export function versionView(storage: ResourceStore, served: ServedResource): ResourceStore {
  if (isStorageView(served)) return storage;
  // Writes say which group version they came in: a few strategies validate by it.
  const request = { group: served.group, version: served.version };
  const out = (obj: KubeObject): KubeObject => served.fromStorage(obj);
  // Watch events arrive as the same objects for every watcher (the watch cache, the storage
  // view's memo): each is converted once for this version, so its watchers share the result
  // (and its encodings). Never mutated after conversion.
  const converted = new WeakMap<KubeObject, KubeObject>();
  const outOnce = (obj: KubeObject): KubeObject => {
    let shown = converted.get(obj);
    if (!shown) {
      shown = out(obj);
      converted.set(obj, shown);
    }
    return shown;
  };
  // Validating admission in the storage store sees objects in the request's version.
  const admitted = <T extends { admission?: AdmissionRequest }>(opts: T): T => (opts.admission ? { ...opts, admission: { ...opts.admission, fromStorage: out } } : opts);
  const convertEvent = (ev: WatchEvent): WatchEvent =>
    ev.type === 'ERROR' ? ev : ev.type === 'BOOKMARK' ? { type: ev.type, object: { ...ev.object, apiVersion: definitionApiVersion(served), kind: served.kind } } : { type: ev.type, object: outOnce(ev.object) };
  const listItems = async (namespace: string | undefined, query: ListQuery): Promise<ItemList> => {
    const stored = await listItemsOf(storage, namespace, query);
    // Items are converted one at a time, as they are asked for; they carry no
    // apiVersion/kind of their own: the list's say it.
    const item = (i: number): KubeObject => {
      const { apiVersion: _a, kind: _k, ...rest } = out(stored.item(i));
      return rest;
    };
    const memo = stored.memo;
    return { head: { ...stored.head, apiVersion: definitionApiVersion(served), kind: served.listKind }, count: stored.count, item, ...(memo ? { memo } : {}) };
  };
  return {
    definition: served,
    async get(namespace, name, opts) {
      return out(await storage.get(namespace, name, opts));
    },
    ...(storage.getLazy
      ? {
          async getLazy(namespace: string | undefined, name: string, opts?: GetQuery) {
            const read = await storage.getLazy!(namespace, name, opts);
            return { ...(read.memo ? { memo: read.memo } : {}), object: () => out(read.object()) };
          },
        }
      : {}),
    async list(namespace, query) {
      return materializeList(await listItems(namespace, query));
    },
    listItems,
    async watch(namespace, query, signal) {
      const events = await storage.watch(namespace, query, signal);
      return (async function* converted(): AsyncIterable<WatchEvent> {
        for await (const ev of events) yield convertEvent(ev);
      })();
    },
    async create(namespace, obj, opts) {
      return out(await storage.create(namespace, served.toStorage(obj), admitted({ ...opts, request })));
    },
    async update(namespace, name, updater, opts) {
      const updated = await storage.update(namespace, name, async (current) => served.toStorage(await updater(out(current))), admitted({ ...opts, request }));
      return out(updated);
    },
    async replace(namespace, name, updater, opts) {
      // A missing object reaches the updater as {} (create-on-update): nothing to convert.
      const shown = (current: KubeObject): KubeObject => (Object.keys(current).length === 0 ? current : out(current));
      const outcome = await storage.replace(namespace, name, async (current) => served.toStorage(await updater(shown(current))), admitted({ ...opts, request }));
      return { ...outcome, object: out(outcome.object) };
    },
    async delete(namespace, name, opts) {
      const outcome = await storage.delete(namespace, name, admitted({ ...opts, requestVersion: served.version }));
      return { ...outcome, object: out(outcome.object) };
    },
  };
}
