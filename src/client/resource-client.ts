/**
 * A typed client for one resource in one group/version, over its generated gRPC service:
 * every verb the service has, subresources included. Namespaced calls take the namespace
 * from the options, the client's bound namespace (`in(ns)`), or the object.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { ListMeta, Status } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Scale } from '../../gen/k8s/io/api/autoscaling/v1/generated.js';
import { DeleteCollectionRequest, DeleteRequest, GetRequest, ListRequest, PatchRequest, UpdateScaleRequest } from '../../gen/wheelhouse/meta/v1/requests.js';
import type { CallOpts, Connection } from './connection.js';
import { StatusError, statusErrorFrom } from './errors.js';
import { watchStream, type WatchStream } from './watch.js';

/** What the declaration says about the resource. */
export interface ResourceFacts {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources: readonly string[];
}

type Builtin = Date | Function | Uint8Array | string | number | boolean | undefined;

/** What a write takes: any part of the message; absent fields are the message's defaults. */
export type DeepPartial<T> = T extends Builtin
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<DeepPartial<U>>
      : T extends {}
        ? { [K in keyof T]?: DeepPartial<T[K]> }
        : Partial<T>;

/** A generated request message's builder. */
export interface RequestFns<R> {
  fromPartial(value: object): R;
}

interface HasMeta {
  metadata?: { name?: string; namespace?: string } | undefined;
}

export interface NamespaceOpts extends CallOpts {
  namespace?: string;
}
export interface GetOpts extends NamespaceOpts {
  resourceVersion?: string;
}
export interface ListOpts extends NamespaceOpts {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** One page of at most `limit` items; without it every page is read (500 at a time). */
  limit?: number;
  continue?: string;
}
export interface WatchOpts extends NamespaceOpts {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}
export interface WriteOpts extends NamespaceOpts {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';
export interface PatchOpts extends WriteOpts {
  subresource?: 'status' | 'scale';
  force?: boolean;
}
export interface DeleteOpts extends NamespaceOpts {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}
export type DeleteCollectionOpts = Omit<ListOpts, 'limit' | 'continue'> & DeleteOpts;

export const PATCH_MEDIA_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** The default page size of a list without `limit`, as kubectl's chunking. */
export const DEFAULT_PAGE_SIZE = 500;

export interface ResourceClient<T extends HasMeta, L extends { items: T[]; metadata?: ListMeta }> {
  readonly facts: ResourceFacts;
  /** The namespace calls default to (from `in()`), if any. */
  readonly namespace: string | undefined;
  in(namespace: string): ResourceClient<T, L>;
  get(name: string, opts?: GetOpts): Promise<T>;
  list(opts?: ListOpts): Promise<L>;
  watch(opts?: WatchOpts): WatchStream<T>;
  create(obj: DeepPartial<T>, opts?: WriteOpts): Promise<T>;
  update(obj: DeepPartial<T>, opts?: WriteOpts): Promise<T>;
  updateStatus(obj: DeepPartial<T>, opts?: WriteOpts): Promise<T>;
  getStatus(name: string, opts?: GetOpts): Promise<T>;
  /** A patch document in the Kubernetes JSON shape (an object, or text as sent). */
  patch(name: string, type: PatchType, patch: unknown, opts?: PatchOpts): Promise<T>;
  /** Server-side apply of `obj` (Kubernetes JSON: apiVersion, kind, metadata.name and the fields you own). */
  apply(obj: Record<string, unknown>, opts: PatchOpts & { fieldManager: string }): Promise<T>;
  delete(name: string, opts?: DeleteOpts): Promise<Status>;
  deleteCollection(opts?: DeleteCollectionOpts): Promise<L>;
  getScale(name: string, opts?: GetOpts): Promise<Scale>;
  updateScale(scale: DeepPartial<Scale>, opts?: WriteOpts): Promise<Scale>;
  patchScale(name: string, type: PatchType, patch: unknown, opts?: PatchOpts): Promise<Scale>;
}

/** The pieces a typed client is built from (the generated clientset passes them). */
export interface ResourceClientParts {
  conn: Connection;
  facts: ResourceFacts;
  service: ServiceDefinition;
  createRequest: RequestFns<unknown>;
  updateRequest?: RequestFns<unknown>;
  namespace?: string;
}

export function resourceClient<T extends HasMeta, L extends { items: T[]; metadata?: ListMeta }>(parts: ResourceClientParts): ResourceClient<T, L> {
  const { conn, facts, service } = parts;
  const ns = (opts?: NamespaceOpts, obj?: { metadata?: { namespace?: string } }): string => (facts.namespaced ? (opts?.namespace ?? parts.namespace ?? obj?.metadata?.namespace ?? '') : '');
  const call = <R>(method: string, request: unknown, opts?: CallOpts): Promise<R> => unary<R>(conn, facts, service, method, request, opts);
  const writeOptions = (o?: WriteOpts) => ({ dryRun: o?.dryRun ? ['All'] : [], fieldManager: o?.fieldManager, fieldValidation: o?.fieldValidation });
  const listOptions = (o?: ListOpts | WatchOpts) => ({
    labelSelector: o?.labelSelector,
    fieldSelector: o?.fieldSelector,
    resourceVersion: o?.resourceVersion,
    ...('resourceVersionMatch' in (o ?? {}) ? { resourceVersionMatch: (o as ListOpts).resourceVersionMatch } : {}),
  });
  const deleteOptions = (o?: DeleteOpts) => ({
    gracePeriodSeconds: o?.gracePeriodSeconds,
    propagationPolicy: o?.propagationPolicy,
    preconditions: o?.preconditions,
    dryRun: o?.dryRun ? ['All'] : [],
  });
  const patchBytes = (patch: unknown): Buffer => Buffer.from(typeof patch === 'string' ? patch : JSON.stringify(patch));
  const suffix = (sub?: string): string => (sub === 'status' ? 'Status' : sub === 'scale' ? 'Scale' : '');
  const updateRequest = parts.updateRequest ?? parts.createRequest;

  const client: ResourceClient<T, L> = {
    facts,
    namespace: parts.namespace,
    in: (namespace) => resourceClient<T, L>({ ...parts, namespace }),
    get: (name, opts) => call('get', GetRequest.fromPartial({ namespace: ns(opts), name, options: { resourceVersion: opts?.resourceVersion } }), opts),
    getStatus: (name, opts) => call('getStatus', GetRequest.fromPartial({ namespace: ns(opts), name, options: { resourceVersion: opts?.resourceVersion } }), opts),
    async list(opts) {
      const namespace = ns(opts);
      if (opts?.limit !== undefined) {
        return call<L>('list', ListRequest.fromPartial({ namespace, options: { ...listOptions(opts), limit: opts.limit, continue: opts.continue } }), opts);
      }
      // Every page, consistent at the first page's revision (continue tokens carry it).
      let first: L | undefined;
      let token = opts?.continue;
      const items: T[] = [];
      do {
        const page: L = await call<L>('list', ListRequest.fromPartial({ namespace, options: { ...listOptions(opts), limit: DEFAULT_PAGE_SIZE, continue: token } }), opts);
        first ??= page;
        items.push(...page.items);
        token = page.metadata?.continue || undefined;
      } while (token);
      const result = first as L;
      return { ...result, items, metadata: { ...result.metadata, continue: undefined, remainingItemCount: undefined } };
    },
    watch(opts) {
      const request = ListRequest.fromPartial({
        namespace: ns(opts),
        options: { ...listOptions(opts), watch: true, allowWatchBookmarks: opts?.allowWatchBookmarks, timeoutSeconds: opts?.timeoutSeconds, sendInitialEvents: opts?.sendInitialEvents },
      });
      const method = methodOf(service, 'watch', facts);
      const stream = conn.client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, conn.metadata(), conn.callOptions(opts, true));
      return watchStream<T>(stream as never, opts?.signal);
    },
    create: (obj, opts) => call('create', parts.createRequest.fromPartial({ namespace: ns(opts, obj), object: obj, options: writeOptions(opts) }), opts),
    update: (obj, opts) => call('update', updateRequest.fromPartial({ namespace: ns(opts, obj), name: obj.metadata?.name, object: obj, options: writeOptions(opts) }), opts),
    updateStatus: (obj, opts) => call('updateStatus', updateRequest.fromPartial({ namespace: ns(opts, obj), name: obj.metadata?.name, object: obj, options: writeOptions(opts) }), opts),
    patch: (name, type, patch, opts) =>
      call(`patch${suffix(opts?.subresource)}`, PatchRequest.fromPartial({ namespace: ns(opts), name, patchType: PATCH_MEDIA_TYPES[type], patch: patchBytes(patch), options: { ...writeOptions(opts), force: opts?.force } }), opts),
    apply(obj, opts) {
      const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
      const name = meta.name ?? '';
      return client.patch(name, 'apply', obj, { ...opts, namespace: opts.namespace ?? meta.namespace });
    },
    delete: (name, opts) => call('delete', DeleteRequest.fromPartial({ namespace: ns(opts), name, options: deleteOptions(opts) }), opts),
    deleteCollection: (opts) => call('deleteCollection', DeleteCollectionRequest.fromPartial({ namespace: ns(opts), listOptions: listOptions(opts), deleteOptions: deleteOptions(opts) }), opts),
    getScale: (name, opts) => call('getScale', GetRequest.fromPartial({ namespace: ns(opts), name, options: { resourceVersion: opts?.resourceVersion } }), opts),
    updateScale: (scale, opts) => call('updateScale', UpdateScaleRequest.fromPartial({ namespace: ns(opts, scale), name: scale.metadata?.name, object: scale, options: writeOptions(opts) }), opts),
    patchScale: (name, type, patch, opts) => client.patch(name, type, patch, { ...opts, subresource: 'scale' }) as unknown as Promise<Scale>,
  };
  return client;
}

/** One action subresource method (`pods.createBinding`): POST of `body` to `name`'s subresource. */
export function actionMethod<B, R>(parts: ResourceClientParts, method: string, request: RequestFns<unknown>) {
  return (name: string, body: DeepPartial<B>, opts?: WriteOpts): Promise<R> => {
    const namespace = parts.facts.namespaced ? (opts?.namespace ?? parts.namespace ?? (body as HasMeta).metadata?.namespace ?? '') : '';
    const req = request.fromPartial({ namespace, name, object: body, options: { dryRun: opts?.dryRun ? ['All'] : [], fieldManager: opts?.fieldManager } });
    return unary<R>(parts.conn, parts.facts, parts.service, method, req, opts);
  };
}

function methodOf(service: ServiceDefinition, method: string, facts: ResourceFacts) {
  const m = service[method];
  if (!m) {
    const status = { status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: `the server does not allow this method on the requested resource: ${facts.resource} has no ${method}`, metadata: undefined, details: undefined };
    throw new StatusError(status, 12);
  }
  return m;
}

function unary<R>(conn: Connection, facts: ResourceFacts, service: ServiceDefinition, method: string, request: unknown, opts?: CallOpts): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let m;
    try {
      m = methodOf(service, method, facts);
    } catch (err) {
      reject(err);
      return;
    }
    if (opts?.signal?.aborted) {
      reject(opts.signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = (): void => c.cancel();
    const c = conn.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, conn.metadata(), conn.callOptions(opts), (err, value) => {
      opts?.signal?.removeEventListener('abort', onAbort);
      if (err) reject(statusErrorFrom(err));
      else resolve(value as R);
    });
    opts?.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
