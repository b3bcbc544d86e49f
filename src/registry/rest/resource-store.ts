/**
 * The capability interface the endpoints layer sees for one resource. Implemented once,
 * generically, by registry/generic.
 */
import type { KubeList, KubeObject } from '../../machinery/meta/object.js';
import type { SerializedMemo } from '../../machinery/meta/serialized.js';
import type { LazyObject } from '../../storage/object-store.js';
import type { AdmissionRequest } from './admission.js';
import type { ServedResource } from './served.js';
import type { RequestUser, RequestVersion } from './strategy.js';

/** List and watch options in their Kubernetes JSON shape (meta/v1 ListOptions). */
export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** meta/v1 DeleteOptions, the fields the server acts on. */
export interface DeleteQuery {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
  /** The version the request speaks (per-version default GC policies); absent: the storage version. */
  requestVersion?: string;
}

/** Options shared by writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** The group version the write was requested in, set by a version view (absent: the storage version). */
  request?: RequestVersion;
  /** The requesting user, for strategies that record it (a CSR's requestor). */
  user?: RequestUser;
  /** The request as admission describes it (set by the handlers; absent: the server's own write). */
  admission?: AdmissionRequest;
}

/** A watch event as it goes to clients. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/** Computes the new object from the stored one; runs again on every conflict retry. */
export type ObjectUpdater = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/**
 * Which part of the object a write addresses: `main`, or a status-writing subresource
 * (`status`, or one of the definition's `statusSubresources` such as `approval`), or `system`:
 * a write the server makes for a subresource of its own (a pod's binding), stored as the updater
 * returns it with only the identity and system-field rules, as upstream's subresource handlers
 * write to storage directly.
 */
export type WriteTarget = 'main' | 'status' | 'system' | (string & {});

/** The write target of a request to `subresource` of `def` (undefined: the object itself). */
export function writeTargetOf(def: { statusStrategy?: unknown; statusSubresources?: Readonly<Record<string, unknown>> }, subresource: string | undefined): WriteTarget {
  if (subresource === 'status' && def.statusStrategy) return 'status';
  if (subresource !== undefined && def.statusSubresources && Object.hasOwn(def.statusSubresources, subresource)) return subresource;
  return 'main';
}

/** The result of a delete: the last state and whether it is gone already. */
export interface DeleteOutcome {
  object: KubeObject;
  /** false when finalizers or graceful deletion keep the object around. */
  gone: boolean;
  /** Warnings for the client (HTTP `Warning` headers). */
  warnings?: string[];
}

/** The result of a replace: the stored object and whether the write created it. */
export interface UpdateOutcome {
  object: KubeObject;
  /** true when the object was missing and the write created it (create-on-update: 201). */
  created: boolean;
}

/** GetOptions of a get. */
export interface GetQuery {
  resourceVersion?: string;
}

/** CRUD + watch for one resource. */
export interface ResourceStore {
  /** The resource at the version this store serves. */
  readonly definition: ServedResource;
  /** A `resourceVersion` asks for a state not older than it ("" and "0": any, here the latest). */
  get(namespace: string | undefined, name: string, opts?: GetQuery): Promise<KubeObject>;
  /**
   * `get` with the object built only when asked for, and the stored state's shared response
   * bytes when the store keeps them (the watch cache). Optional.
   */
  getLazy?(namespace: string | undefined, name: string, opts?: GetQuery): Promise<LazyObject>;
  list(namespace: string | undefined, query: ListQuery): Promise<KubeList>;
  /**
   * The list `list` answers, with its items handed out one at a time and each converted only
   * when asked for (a version view converts item by item instead of building a second list).
   * Optional: `listItemsOf` falls back to `list`.
   */
  listItems?(namespace: string | undefined, query: ListQuery): Promise<ItemList>;
  /** Resolves once the watch is established; the iterable ends when signal aborts. */
  watch(namespace: string | undefined, query: ListQuery, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
  create(namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  update(
    namespace: string | undefined,
    name: string,
    updater: ObjectUpdater,
    opts: WriteOptions & { target: WriteTarget },
  ): Promise<KubeObject>;
  /**
   * The PUT verb: `update`, except that where the definition allows create-on-update
   * (`allowCreateOnUpdate`), the target is the main resource and the object is missing, it
   * is created instead, from `updater({})`, through the create path (prepare, validate,
   * namespace check) and a create-if-absent write. The missing-then-create decision is
   * atomic: a concurrent create makes the write retry as an update, a concurrent delete
   * makes an update retry as a create, so two replaces never both create and no update is
   * lost. A new object that names a resourceVersion is not created: that version does not
   * exist (NotFound, as upstream).
   */
  replace(
    namespace: string | undefined,
    name: string,
    updater: ObjectUpdater,
    opts: WriteOptions & { target: WriteTarget },
  ): Promise<UpdateOutcome>;
  delete(namespace: string | undefined, name: string, opts: DeleteQuery & WriteOptions): Promise<DeleteOutcome>;
  /**
   * Brings what the store keeps beside its objects (a definition's allocator reservations)
   * in line with the stored objects; run at start, before serving.
   */
  repair?(): Promise<void>;
}

/**
 * A list whose items are produced on demand, in the served version: what streaming encoders
 * walk. `head` is the list without `items`, its keys in the order the list is written; the
 * list is `{ ...head, items }`.
 */
export interface ItemList {
  readonly head: Omit<KubeList, 'items'>;
  readonly count: number;
  /** Item `i` (0 ≤ i < count); each call produces it again. */
  item(i: number): KubeObject;
  /** Item `i`'s shared response bytes, when its store keeps them. */
  memo?(i: number): SerializedMemo | undefined;
}

/** An ItemList over items already built. */
export function itemListOf(list: KubeList): ItemList {
  const { items, ...head } = list;
  return { head, count: items.length, item: (i) => items[i]! };
}

/** The whole list of an ItemList. */
export function materializeList(list: ItemList): KubeList {
  const items = new Array<KubeObject>(list.count);
  for (let i = 0; i < list.count; i++) items[i] = list.item(i);
  return { ...list.head, items };
}

/** `store`'s list as an ItemList (built whole when the store has no `listItems`). */
export async function listItemsOf(store: ResourceStore, namespace: string | undefined, query: ListQuery): Promise<ItemList> {
  return store.listItems ? store.listItems(namespace, query) : itemListOf(await store.list(namespace, query));
}
