/**
 * The one CRUD engine. Every resource is served by this store configured with its
 * definition and strategies; writes are compare-and-swap on the storage revision.
 */
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  OBJECT_MODIFIED,
  type Qualified,
} from '../../machinery/errors/index.js';
import { type KubeList, type KubeObject, cloneObject, jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, toCauses } from '../../machinery/validation/field-error.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { definitionApiVersion, type ResourceDefinition } from '../rest/definition.js';
import { storageView } from '../rest/served.js';
import type { ObjectUpdater, ResourceStore, UpdateOutcome, WatchEvent, WriteOptions, WriteTarget } from '../rest/resource-store.js';
import { carrySystemFieldsOnUpdate, fillSystemFieldsOnCreate, generateName, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { buildPredicate } from './predicate.js';
import { interpretStorageError } from './storage-errors.js';
import { deleteObject, removeIfFinalized } from './deletion.js';
import { checkResourceVersion, validateListQuery } from './list-options.js';
import { collectionPrefix, objectKey } from './keys.js';
import { qualified, stripType, withType as typeOf } from './type-meta.js';

/** Largest page size handed to storage (an int64 `limit` may not fit a JS number or SQLite LIMIT). */
const MAX_PAGE_LIMIT = 2 ** 31 - 1;

/** Admission-like check run before creating an object in a namespace (namespace lifecycle). */
export type NamespaceCheck = (namespace: string, q: Qualified, name: string) => Promise<void>;

/** What a generic store needs besides its definition. */
export interface GenericStoreOptions {
  store: ObjectStore;
  /** Storage key prefix, e.g. `/registry`. */
  prefix: string;
  namespaceCheck?: NamespaceCheck;
}

/** Builds the store for one resource; it works at the resource's storage version (see versionView for the others). */
export function createGenericStore(declared: ResourceDefinition, opts: GenericStoreOptions): ResourceStore {
  const def = storageView(declared);
  const q = qualified(def);
  const apiVersion = definitionApiVersion(def);
  const { store, prefix } = opts;
  const keyFor = (namespace: string | undefined, name: string): string => objectKey(prefix, def, namespace, name);
  const prefixFor = (namespace: string | undefined): string => collectionPrefix(prefix, def, namespace);
  const withType = (obj: KubeObject): KubeObject => typeOf(def, obj);

  const fail = (obj: KubeObject, errs: FieldError[]): never => {
    throw invalid(def.kind, def.group, obj.metadata?.name ?? '', toCauses(errs));
  };


  /** Everything a create does before its storage write: the object to store and its key. */
  async function beforeCreate(namespace: string | undefined, input: KubeObject): Promise<{ obj: KubeObject; name: string; key: string }> {
    const obj = cloneObject(stripType(input));
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (namespace) meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    fillSystemFieldsOnCreate(def, meta);
    def.strategy.prepareForCreate?.(obj);
    const errs = [...validateObjectMeta(def, obj), ...(def.strategy.validate?.(obj) ?? [])];
    if (errs.length) fail(obj, errs);
    def.strategy.canonicalize?.(obj);
    const name = meta.name as string;
    if (def.namespaced && opts.namespaceCheck && meta.namespace) await opts.namespaceCheck(meta.namespace, q, name);
    return { obj, name, key: keyFor(meta.namespace, name) };
  }

  async function createObject(namespace: string | undefined, input: KubeObject, wopts: WriteOptions): Promise<KubeObject> {
    const { obj, name, key } = await beforeCreate(namespace, input);
    if (wopts.dryRun) {
      try {
        await store.get(key);
        throw alreadyExists(q, name);
      } catch (err) {
        if (err instanceof ApiError) throw err;
      }
      return withType(obj);
    }
    try {
      return withType(await store.create(key, withType(obj)));
    } catch (err) {
      throw interpretStorageError(err, q, name);
    }
  }

  /**
   * Create-on-update of a missing object: the create path and a create-if-absent write.
   * Returns undefined when the object appeared meanwhile (the caller retries as an update).
   */
  async function createMissing(namespace: string | undefined, name: string, input: KubeObject, wopts: WriteOptions): Promise<KubeObject | undefined> {
    const inputName = input.metadata?.name;
    if (inputName !== undefined && inputName !== name) {
      throw badRequest(`the name of the object (${inputName}) does not match the name on the URL (${name})`);
    }
    const { obj, key } = await beforeCreate(namespace, { ...input, metadata: { ...input.metadata, name } });
    if (wopts.dryRun) return withType(obj);
    try {
      return withType(await store.create(key, withType(obj)));
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
    const tryUpdate = async (current: KubeObject): Promise<KubeObject> => {
      const next = cloneObject(stripType(await updater(cloneObject(current))));
      const meta = (next.metadata ??= {});
      const old = current.metadata ?? {};
      if (meta.name !== undefined && meta.name !== name) {
        throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      meta.name = name;
      if (def.namespaced) {
        if (meta.namespace && namespace && meta.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        meta.namespace = namespace ?? old.namespace ?? '';
      } else delete meta.namespace;
      if (meta.resourceVersion && meta.resourceVersion !== old.resourceVersion) {
        throw conflict(q, name, OBJECT_MODIFIED);
      }
      if (meta.uid && meta.uid !== old.uid) {
        throw conflict(q, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.uid ?? ''}`);
      }
      carrySystemFieldsOnUpdate(meta, old);
      delete meta.resourceVersion;
      const target: WriteTarget = wopts.target;
      let errs: FieldError[];
      if (target === 'status') {
        // Only status changes through /status: everything else comes from the stored object.
        const merged: KubeObject = { ...cloneObject(stripType(current)), status: next.status };
        if (next.status === undefined) delete merged.status;
        delete merged.metadata?.resourceVersion;
        def.statusStrategy?.prepareForUpdate?.(merged, current);
        errs = [...validateObjectMetaUpdate(def, merged, current), ...(def.statusStrategy?.validateUpdate?.(merged, current) ?? [])];
        if (errs.length) fail(merged, errs);
        def.strategy.canonicalize?.(merged);
        return merged;
      }
      if (def.statusStrategy) {
        // The main resource never changes status.
        if (current.status === undefined) delete next.status;
        else next.status = cloneObject(current.status);
      }
      def.strategy.prepareForUpdate?.(next, current);
      if (def.tracksGeneration && !sameSpec(next, current)) meta.generation = (old.generation ?? 0) + 1;
      errs = [...validateObjectMetaUpdate(def, next, current), ...(def.strategy.validateUpdate?.(next, current) ?? [])];
      if (errs.length) fail(next, errs);
      def.strategy.canonicalize?.(next);
      return next;
    };
    for (;;) {
      try {
        if (wopts.dryRun) {
          const current = await store.get(key);
          const next = await tryUpdate(current);
          next.metadata = { ...next.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' };
          return { object: withType(next), created: false };
        }
        const updated = await store.guaranteedUpdate(key, async (current) => withType(await tryUpdate(current)));
        await removeIfFinalized(store, def, key, name, updated);
        return { object: withType(updated), created: false };
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

  return {
    definition: def,

    async get(namespace, name) {
      try {
        return withType(await store.get(keyFor(namespace, name)));
      } catch (err) {
        throw interpretStorageError(err, q, name);
      }
    },

    async list(namespace, query) {
      validateListQuery(query);
      const predicate = buildPredicate(def, query.labelSelector, query.fieldSelector);
      const listOpts: Parameters<ObjectStore['list']>[1] = {};
      if (query.resourceVersion !== undefined) listOpts.resourceVersion = query.resourceVersion;
      if (query.resourceVersionMatch === 'Exact' || query.resourceVersionMatch === 'NotOlderThan') {
        listOpts.resourceVersionMatch = query.resourceVersionMatch;
      }
      // Any limit beyond what one page could ever hold means "no smaller than everything".
      if (query.limit !== undefined && query.limit > 0) listOpts.limit = Math.min(query.limit, MAX_PAGE_LIMIT);
      if (query.continue) listOpts.continue = query.continue;
      if (predicate) listOpts.predicate = predicate;
      try {
        const result = await store.list(prefixFor(namespace), listOpts);
        const list: KubeList = {
          apiVersion,
          kind: def.listKind,
          metadata: { resourceVersion: result.resourceVersion },
          items: result.items.map(stripType),
        };
        if (result.continue) list.metadata.continue = result.continue;
        if (result.remainingItemCount !== undefined && result.continue) list.metadata.remainingItemCount = result.remainingItemCount;
        return list;
      } catch (err) {
        // A list (not a continuation) at a compacted revision: upstream's wording for lists.
        if (!query.continue && isStorageError(err, 'Compacted')) throw expired('The resourceVersion for the provided list is too old.');
        throw interpretStorageError(err, q);
      }
    },

    async watch(namespace, query, signal) {
      const predicate = buildPredicate(def, query.labelSelector, query.fieldSelector);
      // A malformed resourceVersion is a 400 before the stream starts, not an ERROR event in it.
      checkResourceVersion(query.resourceVersion);
      const watchOpts: Parameters<ObjectStore['watch']>[1] = { signal };
      if (query.resourceVersion !== undefined) watchOpts.resourceVersion = query.resourceVersion;
      if (predicate) watchOpts.predicate = predicate;
      const source = store.watch(prefixFor(namespace), watchOpts);
      async function* events(): AsyncIterable<WatchEvent> {
        try {
          for await (const ev of source) yield { type: ev.type, object: withType(ev.object) };
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
      return deleteObject(store, def, keyFor(namespace, name), name, dopts);
    },
  };
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return jsonEqual(strip(a), strip(b));
}
