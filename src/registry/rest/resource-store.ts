/**
 * The capability interface the endpoints layer sees for one resource. Implemented once,
 * generically, by registry/generic.
 */
import type { KubeList, KubeObject } from '../../machinery/meta/object.js';
import type { ServedResource } from './served.js';

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
}

/** Options shared by writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** A watch event as it goes to clients. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/** Computes the new object from the stored one; runs again on every conflict retry. */
export type ObjectUpdater = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/** Which part of the object a write addresses. */
export type WriteTarget = 'main' | 'status';

/** The result of a delete: the last state and whether it is gone already. */
export interface DeleteOutcome {
  object: KubeObject;
  /** false when finalizers or graceful deletion keep the object around. */
  gone: boolean;
}

/** CRUD + watch for one resource. */
export interface ResourceStore {
  /** The resource at the version this store serves. */
  readonly definition: ServedResource;
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
  list(namespace: string | undefined, query: ListQuery): Promise<KubeList>;
  /** Resolves once the watch is established; the iterable ends when signal aborts. */
  watch(namespace: string | undefined, query: ListQuery, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
  create(namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  update(
    namespace: string | undefined,
    name: string,
    updater: ObjectUpdater,
    opts: WriteOptions & { target: WriteTarget },
  ): Promise<KubeObject>;
  delete(namespace: string | undefined, name: string, opts: DeleteQuery & WriteOptions): Promise<DeleteOutcome>;
}
