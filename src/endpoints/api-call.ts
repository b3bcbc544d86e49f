/**
 * The transport-neutral call. HTTP and gRPC adapters build an ApiCall from what they
 * received — request attributes, credentials and an undecoded body — and run it through
 * the same pipeline. Resource lookup, scope rules, verb mapping and body decoding happen
 * once, in `request/`, after the interceptors; handlers then see a ResolvedCall.
 */
import type { KubeObject } from '../machinery/meta/object.js';
import type { SerializedMemo } from '../machinery/meta/serialized.js';
import type { ProxyTarget } from '../registry/rest/definition.js';
import type { ItemList, ListQuery, WatchEvent } from '../registry/rest/resource-store.js';

/** Kubernetes API verbs. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** Patch flavours by media type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Who is calling, as authentication found (upstream's user.Info). */
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/**
 * What the call asks to do: an API verb (gRPC methods name theirs) or an HTTP method
 * plus whether the query asked for a watch (endpoints maps it to a verb).
 */
export type CallAction = { verb: Verb } | { method: string; watch: boolean };

/** `Impersonate-User`, `-Group`, `-Uid`, `-Extra-*` as sent; authorised by authentication's impersonation step. */
export interface Impersonation {
  user?: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

/**
 * A TLS client certificate as the transport saw it: its subject's CN and O values, and whether
 * the handshake verified it against the client CAs (the x509 authenticator takes only those).
 */
export interface ClientCertificate {
  commonName: string;
  organizations: string[];
  verified: boolean;
}

/** What the caller presented to prove who it is; authentication checks it. */
export interface Credentials {
  /**
   * Set only by callers inside this process (the loopback client): the call's `user` is
   * then taken as it is. Transports build credentials from what arrived and never set it.
   */
  inProcess?: true;
  /** `Authorization: Bearer …` (HTTP header or gRPC `authorization` metadata). */
  bearerToken?: string;
  /** The TLS client certificate, when the connection presented one. */
  clientCertificate?: ClientCertificate;
  impersonation?: Impersonation;
}

/**
 * A request body as it arrived: encoded bytes with their media type (HTTP bodies, gRPC
 * `raw` fields and patches), or a typed message of the kind the call addresses (gRPC).
 */
export type RequestBody =
  | { type: 'encoded'; data: Uint8Array; contentType?: string }
  | { type: 'message'; message: object };

/** One API request, whatever transport it came on, before anything is decoded. */
export interface ApiCall {
  action: CallAction;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** On a `proxy` call: the path below `/proxy` (dot segments already resolved), `/` at least. */
  proxyPath?: string;
  credentials: Credentials;
  /** The client's User-Agent: names the field manager of writes that send none. */
  userAgent?: string;
  body?: RequestBody;
  /** Query options in their meta/v1 JSON shape (ListOptions, CreateOptions, …). */
  options: CallOptions;
  /** Who the call runs as: set by authentication (in-process callers set it with `credentials.inProcess`). */
  user?: UserInfo;
  /** The request's audit ID (HTTP: the `Audit-ID` header sent or answered); absent: the audit makes one. */
  auditID?: string;
  /** The request's URI as it arrived (HTTP path and query); absent: the audit writes the call's REST path. */
  requestURI?: string;
  /** The client's addresses, as upstream's SourceIPs: forwarded-for entries, then the peer. */
  sourceIPs?: string[];
  /** The audit record of this request, set by the audit interceptor when auditing is on. */
  audit?: AuditRecorder;
  /** Aborts on client disconnect, deadline or shutdown. */
  signal: AbortSignal;
  /**
   * The client's own time limit for the call, in milliseconds (HTTP `?timeout=`, the gRPC
   * deadline): it shortens the server's `--request-timeout`, never lengthens it; 0 or absent:
   * the server's.
   */
  timeoutMs?: number;
}

/**
 * A call after resolution: its verb, and its body decoded to Kubernetes JSON (the object
 * for create/update, the patch document for patch, DeleteOptions for delete).
 */
export interface ResolvedCall extends Omit<ApiCall, 'action' | 'body' | 'user'> {
  verb: Verb;
  user: UserInfo;
  body?: unknown;
  patchType?: PatchType;
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

/**
 * What a handler returns: an object (with its HTTP code) or a watch stream. A list result
 * also carries `items`, the same list item by item: transports that write lists in pieces
 * encode from it, and `object` (the whole list) is only built when something reads it.
 * A GET served from the watch cache carries `memo`, the stored state's response bytes
 * shared between requests (its `object` too is built only when read).
 */
export type ApiResult =
  | { type: 'object'; code: number; object: KubeObject; warnings?: string[]; items?: ItemList; memo?: SerializedMemo }
  | { type: 'watch'; events: AsyncIterable<WatchEvent> }
  | { type: 'proxy'; target: ProxyLocation };

/** Where a `proxy` call goes: an address the stored objects name, and the path to ask for there. */
export interface ProxyLocation extends ProxyTarget {
  path: string;
}

/** An authorizer's verdict as the audit annotates it (`authorization.k8s.io/decision`). */
export type AuditDecision = 'allow' | 'forbid';

/**
 * What the stages of a request tell its audit record (`audit/`): who authentication proved (or
 * that it failed), whom they impersonate, what authorization decided, the decoded request body.
 */
export interface AuditRecorder {
  authenticated(user: UserInfo): void;
  authenticationFailed(): void;
  impersonated(user: UserInfo): void;
  authorized(decision: AuditDecision, reason: string): void;
  /** The decoded body; `object` for a create's or update's object (which names what the call addresses). */
  requestObject(body: unknown, object: boolean): void;
}

/** A handler for calls; interceptors wrap it onion-style. */
export type ApiHandler = (call: ApiCall) => Promise<ApiResult>;

/** Cross-cutting behaviour (recovery, authn, authz, audit, limits) around the handler. */
export type Interceptor = (next: ApiHandler) => ApiHandler;
