/**
 * The one CRUD engine. Every resource is served by this store configured with its
 * definition and strategies; writes are compare-and-swap on the storage revision.
 *
 * This file wires the named steps to the ObjectStore: keys (keys.ts), create and update
 * preparation (before-create.ts, before-update.ts), deletion (deletion.ts), selection
 * (predicate.ts) and storage errors (storage-errors.ts).
 */
import { ApiError, alreadyExists, expired, tooLargeResourceVersion } from '../../machinery/errors/index.js';
import { type KubeObject, cloneObject } from '../../machinery/meta/object.js';
import { isStorageError } from '../../storage/errors.js';
import { lazyListOf, type LazyObject, type ObjectListOptions, type ObjectStore, type ObjectWatchOptions } from '../../storage/object-store.js';
import type { AdmissionChain } from '../rest/admission.js';
import { DEFAULT_ALLOCATION_RANGES, definitionApiVersion, type AllocationRanges, type Reservation, type ResourceDefinition, type ReviewAccess, type WriteAdmissionContext } from '../rest/definition.js';
import type { RequestUser } from '../rest/strategy.js';
import { storageView } from '../rest/served.js';
import { materializeList, type ItemList, type ListQuery, type ObjectUpdater, type ResourceStore, type UpdateOutcome, type WatchEvent, type WriteOptions, type WriteTarget } from '../rest/resource-store.js';
import { validateAdmission } from './admit.js';
import { beforeCreate } from './before-create.js';
import { beforeUpdate } from './before-update.js';
import { checkNameMatches } from './checks.js';
import { deleteObject, removeIfFinalized } from './deletion.js';
import { collectionPrefix, objectKey } from './keys.js';
import { waitUntilFresh } from './freshness.js';
import { checkResourceVersion, parseReadResourceVersion, validateListQuery, validateWatchQuery } from './list-options.js';
import { compileSelection } from './predicate.js';
import { interpretStorageError } from './storage-errors.js';
import { qualified, stripType, withType } from './type-meta.js';

/** Largest page size handed to storage (an int64 `limit` may not fit a JS number or SQLite LIMIT). */
const MAX_PAGE_LIMIT = 2 ** 31 - 1;

/** `f` computed once per input object (kept while the input lives). */
function memoized(f: (obj: KubeObject) => KubeObject): (obj: KubeObject) => KubeObject {
  const done = new WeakMap<KubeObject, KubeObject>();
  return (obj) => {
    let out = done.get(obj);
    if (!out) {
      out = f(obj);
      done.set(obj, out);
    }
    return out;
  };
}

/** What a generic store needs besides its definition. */
export interface GenericStoreOptions {
  store: ObjectStore;
  /** Storage key prefix, e.g. `/registry`. */
  prefix: string;
  /** Validating admission, run on every create, update and delete (see rest/admission.ts). */
  admission?: AdmissionChain;
  /** What a definition's allocator draws from; absent: upstream's defaults. */
  ranges?: AllocationRanges;
  /** The server's access control, for a definition's write admission (absent: not wired, the admission is skipped). */
  access?: () => ReviewAccess | undefined;
  /** Other installed resources' storage-version stores, for a definition's write admission. */
  storage?: (group: string, resource: string) => ResourceStore | undefined;
}

/** Builds the store for one resource; it works at the resource's storage version (see versionView for the others). */
export function createGenericStore(declared: ResourceDefinition, opts: GenericStoreOptions): ResourceStore {
  const def = storageView(declared);
  const q = qualified(def);
  const { store, prefix } = opts;
  const typed = (obj: KubeObject): KubeObject => withType(def, obj);
  // The store below hands every watcher the same event objects (the watch cache); the typed
  // view of each is made once, so everything above can share by identity too (one
  // conversion, one encoding per event). Shallow copies, dropped with their source.
  const typedOnce = memoized(typed);
  const keyFor = (namespace: string | undefined, name: string): string => objectKey(prefix, def, namespace, name);
  const allocator = declared.allocator?.({ store, prefix, ranges: opts.ranges ?? DEFAULT_ALLOCATION_RANGES });
  const writeAdmission = declared.admission;

  /** The write admission's context for a user's write in `namespace`; undefined when nothing is to be checked. */
  function admissionContext(user: RequestUser | undefined, namespace: string | undefined): WriteAdmissionContext | undefined {
    const access = writeAdmission && user ? opts.access?.() : undefined;
    if (!access || !user) return undefined;
    return { user, namespace: namespace ?? '', access, storage: (g, r) => opts.storage?.(g, r) };
  }

  /** A create-if-absent write with the object's unique values reserved first and given back if the write fails. */
  async function writeNew(key: string, obj: KubeObject): Promise<KubeObject> {
    const reservation = await allocator?.reserveForCreate(obj, false);
    try {
      const created = await store.create(key, typed(obj));
      await reservation?.commit();
      return created;
    } catch (err) {
      await reservation?.rollback();
      throw err;
    }
  }

  /** A create's object and key: the create step, then validating admission, then the key. */
  async function admitCreate(namespace: string | undefined, input: KubeObject, wopts: WriteOptions): Promise<{ obj: KubeObject; name: string; key: string }> {
    // The write admission sees the object as decoded, before the strategy prepares and validates it.
    const actx = writeAdmission?.create ? admissionContext(wopts.user, def.namespaced ? (namespace ?? input.metadata?.namespace) : undefined) : undefined;
    if (actx) await writeAdmission?.create?.(input, actx);
    const { obj, name } = beforeCreate(def, namespace, input, { ...(wopts.user ? { user: wopts.user } : {}), ...(wopts.request ? { request: wopts.request } : {}) });
    const ns = obj.metadata?.namespace;
    await validateAdmission(opts.admission, def, { operation: 'CREATE', namespace: ns, name, object: obj }, wopts);
    return { obj, name, key: keyFor(ns, name) };
  }

  async function createObject(namespace: string | undefined, input: KubeObject, wopts: WriteOptions): Promise<KubeObject> {
    const { obj, name, key } = await admitCreate(namespace, input, wopts);
    if (wopts.dryRun) {
      try {
        await store.get(key);
        throw alreadyExists(q, name);
      } catch (err) {
        if (err instanceof ApiError) throw err;
      }
      await allocator?.reserveForCreate(obj, true);
      return typed(obj);
    }
    try {
      return typed(await writeNew(key, obj));
    } catch (err) {
      throw interpretStorageError(err, q, name);
    }
  }

  /**
   * Create-on-update of a missing object: the create path and a create-if-absent write.
   * Returns undefined when the object appeared meanwhile (the caller retries as an update).
   */
  async function createMissing(namespace: string | undefined, name: string, input: KubeObject, wopts: WriteOptions): Promise<KubeObject | undefined> {
    checkNameMatches(input.metadata?.name, name);
    const { obj, key } = await admitCreate(namespace, { ...input, metadata: { ...input.metadata, name } }, wopts);
    if (wopts.dryRun) {
      await allocator?.reserveForCreate(obj, true);
      return typed(obj);
    }
    try {
      return typed(await writeNew(key, obj));
    } catch (err) {
      if (isStorageError(err, 'KeyExists')) return undefined;
      throw interpretStorageError(err, q, name);
    }
  }

  /**
   * Update (and, for `replace` where the definition allows it, create-on-update). Missing
   * object → create-if-absent; lost that race → update again; an update that finds the
   * object deleted under it → create again. Each turn is one storage CAS, so exactly one
   * writer creates and every other write applies on top of it.
   */
  async function writeUpdate(
    namespace: string | undefined,
    name: string,
    updater: ObjectUpdater,
    wopts: WriteOptions & { target: WriteTarget },
    allowCreate: boolean,
  ): Promise<UpdateOutcome> {
    const key = keyFor(namespace, name);
    const canCreate = allowCreate && def.allowCreateOnUpdate === true && wopts.target === 'main';
    const req = { namespace, name, target: wopts.target, ...(wopts.request ? { request: wopts.request } : {}) };
    // The reservation of the latest attempt: an attempt that lost a conflict gives its values back.
    let pending: Reservation | undefined;
    const tryUpdate = async (current: KubeObject): Promise<KubeObject> => {
      const updated = await updater(cloneObject(current));
      const actx = writeAdmission?.update && wopts.target === 'main' ? admissionContext(wopts.user, current.metadata?.namespace) : undefined;
      if (actx) await writeAdmission?.update?.(updated, current, actx);
      const next = beforeUpdate(def, req, updated, current);
      await validateAdmission(opts.admission, def, { operation: 'UPDATE', namespace, name, object: next, oldObject: current, target: wopts.target }, wopts);
      if (allocator && wopts.target === 'main') {
        const previous = pending;
        pending = undefined;
        await previous?.rollback();
        pending = await allocator.reserveForUpdate(next, current, wopts.dryRun === true);
      }
      return next;
    };
    for (;;) {
      try {
        if (wopts.dryRun) {
          const current = await store.get(key);
          const next = await tryUpdate(current);
          next.metadata = { ...next.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' };
          return { object: typed(next), created: false };
        }
        let updated: KubeObject;
        try {
          updated = await store.guaranteedUpdate(key, async (current) => typed(await tryUpdate(current)));
        } catch (err) {
          await pending?.rollback();
          pending = undefined;
          throw err;
        }
        await pending?.commit();
        pending = undefined;
        const removed = await removeIfFinalized(store, def, key, name, updated);
        if (removed) await allocator?.release(removed);
        return { object: typed(updated), created: false };
      } catch (err) {
        if (err instanceof ApiError) throw err;
        const missing = isStorageError(err, 'KeyNotFound');
        if (!missing || !canCreate) throw interpretStorageError(err, q, name);
        const input = await updater({});
        // A resourceVersion names a version of an object that is not there.
        if (input.metadata?.resourceVersion) throw interpretStorageError(err, q, name);
        const created = await createMissing(namespace, name, input, wopts);
        if (created) return { object: created, created: true };
      }
    }
  }

  /**
   * Before a list reaches storage: a malformed continue token or resourceVersion is a 400
   * (storage words both); a list not older than a revision waits for it, as upstream's
   * watch cache does, while a list pinned to a revision (Exact, or a limit) reads at it.
   */
  async function listFreshness(query: ListQuery): Promise<void> {
    if (query.continue) return;
    const rv = parseReadResourceVersion(query.resourceVersion, 'list');
    if (rv === 0n) return;
    const pinned = query.resourceVersionMatch === 'Exact' || (query.resourceVersionMatch !== 'NotOlderThan' && query.limit !== undefined && query.limit > 0);
    if (!pinned) return waitUntilFresh(store, rv, collectionPrefix(prefix, def, undefined));
    if (rv > BigInt(Number.MAX_SAFE_INTEGER)) throw tooLargeResourceVersion(rv, await store.currentResourceVersion());
  }

  async function getLazy(namespace: string | undefined, name: string, gopts: { resourceVersion?: string } | undefined): Promise<LazyObject> {
    // A resourceVersion asks for a state at least that new: wait for the store to reach it.
    const key = keyFor(namespace, name);
    await waitUntilFresh(store, parseReadResourceVersion(gopts?.resourceVersion, 'get'), key);
    const o = gopts?.resourceVersion !== undefined ? { resourceVersion: gopts.resourceVersion } : {};
    let read: LazyObject;
    try {
      read = store.getLazy ? await store.getLazy(key, o) : await store.get(key, o).then((obj) => ({ object: () => obj }));
    } catch (err) {
      throw interpretStorageError(err, q, name);
    }
    return {
      ...(read.memo ? { memo: read.memo } : {}),
      object: () => {
        try {
          return typed(read.object());
        } catch (err) {
          throw interpretStorageError(err, q, name);
        }
      },
    };
  }

  /** The list's head, and its items typed as list items, built one at a time as asked for. */
  async function listItems(namespace: string | undefined, query: ListQuery): Promise<ItemList> {
    validateListQuery(query);
    await listFreshness(query);
    const selected = compileSelection(def, query.labelSelector, query.fieldSelector);
    const listOpts: ObjectListOptions = {};
    if (query.resourceVersion !== undefined) listOpts.resourceVersion = query.resourceVersion;
    if (query.resourceVersionMatch === 'Exact' || query.resourceVersionMatch === 'NotOlderThan') {
      listOpts.resourceVersionMatch = query.resourceVersionMatch;
    }
    // Any limit beyond what one page could ever hold means "no smaller than everything".
    if (query.limit !== undefined && query.limit > 0) listOpts.limit = Math.min(query.limit, MAX_PAGE_LIMIT);
    if (query.continue) listOpts.continue = query.continue;
    if (selected) {
      listOpts.predicate = selected.predicate;
      listOpts.selection = selected.selection;
    }
    try {
      const prefixKey = collectionPrefix(prefix, def, namespace);
      const result = store.listLazy ? await store.listLazy(prefixKey, listOpts) : lazyListOf(await store.list(prefixKey, listOpts));
      const head: ItemList['head'] = {
        apiVersion: definitionApiVersion(def),
        kind: def.listKind,
        metadata: { resourceVersion: result.resourceVersion },
      };
      if (result.continue) head.metadata.continue = result.continue;
      if (result.remainingItemCount !== undefined && result.continue) head.metadata.remainingItemCount = result.remainingItemCount;
      return {
        head,
        count: result.count,
        item: (i) => {
          try {
            return stripType(result.item(i));
          } catch (err) {
            throw interpretStorageError(err, q);
          }
        },
        memo: (i) => result.memo(i),
      };
    } catch (err) {
      // A list (not a continuation) at a compacted revision: upstream's wording for lists.
      if (!query.continue && isStorageError(err, 'Compacted')) throw expired('The resourceVersion for the provided list is too old.');
      throw interpretStorageError(err, q);
    }
  }

  return {
    definition: def,

    async get(namespace, name, gopts) {
      return (await getLazy(namespace, name, gopts)).object();
    },

    getLazy,

    listItems,

    async list(namespace, query) {
      return materializeList(await listItems(namespace, query));
    },

    async watch(namespace, query, signal) {
      const selected = compileSelection(def, query.labelSelector, query.fieldSelector);
      // A malformed resourceVersion is a 400 before the stream starts, not an ERROR event in it.
      validateWatchQuery(query);
      checkResourceVersion(query.resourceVersion, 'watch');
      const watchOpts: ObjectWatchOptions = { signal };
      if (query.resourceVersion !== undefined) watchOpts.resourceVersion = query.resourceVersion;
      if (query.allowWatchBookmarks) watchOpts.progressNotify = true;
      if (selected) {
        watchOpts.predicate = selected.predicate;
        watchOpts.selection = selected.selection;
      }
      const source = store.watch(collectionPrefix(prefix, def, namespace), watchOpts);
      async function* events(): AsyncIterable<WatchEvent> {
        try {
          for await (const ev of source) yield ev.type === 'BOOKMARK' ? { type: 'BOOKMARK', object: ev.object } : { type: ev.type, object: typedOnce(ev.object) };
        } catch (err) {
          if (signal.aborted) return;
          const apiErr = interpretStorageError(err, q);
          yield { type: 'ERROR', object: apiErr.status as unknown as KubeObject };
        }
      }
      return events();
    },

    create: createObject,

    async update(namespace, name, updater, wopts) {
      return (await writeUpdate(namespace, name, updater, wopts, false)).object;
    },

    replace: (namespace, name, updater, wopts) => writeUpdate(namespace, name, updater, wopts, true),

    async delete(namespace, name, dopts) {
      const admit = (current: KubeObject): Promise<void> => validateAdmission(opts.admission, def, { operation: 'DELETE', namespace, name, oldObject: current }, dopts);
      const outcome = await deleteObject(store, def, keyFor(namespace, name), name, dopts, admit);
      if (outcome.gone && !dopts.dryRun) await allocator?.release(outcome.object);
      return outcome;
    },

    async repair() {
      if (!allocator) return;
      await allocator.repair((await store.list(collectionPrefix(prefix, def, undefined), {})).items);
    },
  };
}
