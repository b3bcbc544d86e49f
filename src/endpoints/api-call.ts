/**
 * The transport-neutral call. HTTP and gRPC adapters build an ApiCall, run it through
 * the same pipeline, and render the ApiResult each in their own wire format.
 */
import type { KubeObject } from '../machinery/meta/object.js';
import type { ListQuery, WatchEvent } from '../registry/rest/resource-store.js';

/** Kubernetes API verbs. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Patch flavours by media type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Who is calling (authentication fills it; anonymous for now). */
export interface UserInfo {
  name: string;
  groups: string[];
}

/**
 * The identity every call runs as until authentication lands: both transports use it,
 * so authentication can later replace it in one place (an interceptor).
 */
export const DEFAULT_USER: Readonly<UserInfo> = Object.freeze({ name: 'admin', groups: ['system:masters', 'system:authenticated'] });

/** One API request, whatever transport it came on. */
export interface ApiCall {
  verb: Verb;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /**
   * The decoded request body: the object for create/update (Kubernetes JSON), the patch
   * document for patch, DeleteOptions for delete.
   */
  body?: unknown;
  patchType?: PatchType;
  /** Query options in their meta/v1 JSON shape (ListOptions, CreateOptions, …). */
  options: CallOptions;
  user: UserInfo;
  /** Aborts on client disconnect, deadline or shutdown. */
  signal: AbortSignal;
}

/** Options from the query string or the gRPC request, already typed: list/watch options plus write options. */
export interface CallOptions extends ListQuery {
  dryRun?: string[];
  fieldManager?: string;
  fieldValidation?: string;
  force?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** What a handler returns: an object (with its HTTP code) or a watch stream. */
export type ApiResult =
  | { type: 'object'; code: number; object: KubeObject; warnings?: string[] }
  | { type: 'watch'; events: AsyncIterable<WatchEvent> };

/** A handler for calls; interceptors wrap it onion-style. */
export type ApiHandler = (call: ApiCall) => Promise<ApiResult>;

/** Cross-cutting behaviour (recovery, authn, authz, audit, limits) around the handler. */
export type Interceptor = (next: ApiHandler) => ApiHandler;
