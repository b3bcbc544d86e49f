/**
 * A resource is a definition plus strategy objects. Routes, discovery, gRPC services
 * and OpenAPI are all derived from these definitions.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { KindSchema } from '../../machinery/runtime/kind-schema.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { NameValidator, RequestUser, Strategy } from './strategy.js';

/**
 * One served version of a resource: its schema and how its objects convert to and from
 * the storage version. Strategies never see a version's shape: they run on the storage
 * version, and conversion happens at the edge (request version → storage version →
 * response version).
 */
export interface ResourceVersion {
  version: string;
  /**
   * Served only when --runtime-config turns it on, though not alpha (upstream's betas
   * introduced since 1.24). Absent: alpha versions are off, the others on.
   */
  offByDefault?: boolean;
  /**
   * Full protobuf message names of the object and its list at this version. A kind without
   * messages (a custom resource) names them `<group>.<version>.<Kind>` and brings `schema`.
   */
  typeName: string;
  listTypeName: string;
  /** The version's schema; absent: its proto messages are. */
  schema?: KindSchema;
  /**
   * Storage-version object → this version's object. Absent: the two share a schema and
   * only apiVersion/kind change. Must be lossless together with `toStorage`: what this
   * version cannot hold is kept (upstream keeps such fields in annotations).
   */
  fromStorage?: (obj: KubeObject) => KubeObject;
  /** This version's object → the storage version's. */
  toStorage?: (obj: KubeObject) => KubeObject;
  /**
   * This version's decode-time defaults (upstream's SetDefaults_* of the version): applied
   * in place to every object a request sends in this version, before conversion and
   * strategies. Versions default differently, so defaults belong to the version.
   */
  defaults?: (obj: KubeObject) => void;
}

/**
 * Another resource name serving the same stored objects under another kind name, as
 * batch/v2alpha1 served `scheduledjobs` (kind ScheduledJob) beside `cronjobs`, or in another
 * group, as events.k8s.io/v1 serves core's `events` (its versions then convert).
 */
export interface ResourceAlias {
  /** The alias's API group when it is not the definition's. */
  group?: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  versions: ResourceVersion[];
}

/**
 * Everything the server needs to know to serve one resource, in all its versions. `T` is
 * the storage version's Kubernetes JSON shape for the hooks (strategies, selectable
 * fields, graceful deletion, printer cells); it appears in parameter positions only, so a
 * `ResourceDefinition<Pod>` is a `ResourceDefinition`.
 */
export interface ResourceDefinition<T extends object = KubeObject> {
  /** API group, `""` for core. */
  group: string;
  /**
   * The served versions. Which of them a server serves follows `--runtime-config`
   * (alpha versions off by default, beta on, stable always).
   */
  versions: ResourceVersion[];
  /** The version objects are stored in and strategies run on; one of `versions`. */
  storageVersion: string;
  /** Other resource names for the same stored objects. */
  aliases?: ResourceAlias[];
  /** Plural, lowercase: `configmaps`. */
  resource: string;
  kind: string;
  listKind: string;
  /** Singular, lowercase: `configmap`. */
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs this resource does not serve (e.g. `deletecollection` on namespaces). */
  disabledVerbs?: string[];
  /** Storage key segment under the prefix, default = resource (`services/specs`, `minions`). */
  storagePath?: string;
  /** Validates metadata.name. */
  nameValidator: NameValidator;
  /** metadata.generation starts at 1 and increases on every spec change. */
  tracksGeneration?: boolean;
  /** A PUT to a missing name creates the object (201), as upstream's AllowCreateOnUpdate. */
  allowCreateOnUpdate?: boolean;
  /** Delete answers with the deleted object rather than a success Status. */
  returnDeletedObject?: boolean;
  strategy: Strategy<T>;
  /** Present when the resource has a `/status` subresource. */
  statusStrategy?: Strategy<T>;
  /**
   * Further subresources that write as `/status` does (the stored object with the request's
   * status, prepared and validated by their own strategy), by name: upstream's
   * CertificateSigningRequest `/approval`. Their verbs are get, update and patch.
   */
  statusSubresources?: Readonly<Record<string, Strategy<T>>>;
  /**
   * The fields managers of the object (key `''`) or of a status-writing subresource may not
   * own, as dot-free field paths (`[['spec'], ['status', 'conditions']]`), where they differ
   * from the default (the object: status; `/status`: spec). Upstream's GetResetFields.
   */
  resetFields?: Readonly<Record<string, readonly (readonly string[])[]>>;
  /** Present when the resource has a `/scale` subresource (autoscaling/v1 Scale). */
  scale?: ScaleSubresource;
  /** Present when the resource has a `/proxy` subresource (services, pods, nodes). */
  proxy?: ProxySubresource<T>;
  /** Create-only subresources with a kind of their own (pods/binding, pods/eviction, serviceaccounts/token). */
  actions?: ActionSubresource[];
  /**
   * Present on a resource computed on request instead of stored (ComponentStatus): the
   * installer serves get and list from it; the declaration's `verbs` say nothing else is served.
   */
  computed?: ComputedResource;
  /** Extra field-selector fields beyond metadata.name/metadata.namespace. */
  selectableFields?(obj: T): Record<string, string>;
  /** Selectable fields the watch cache indexes (upstream's pod `spec.nodeName` index). */
  indexedFields?: readonly string[];
  /**
   * Graceful deletion: given a private copy of the stored object, marks it for deletion
   * in place and returns true to keep it, or returns false to remove the object now.
   * Objects with metadata.finalizers are always kept until their finalizers are gone.
   */
  gracefulDelete?(obj: T): boolean;
  /**
   * Upstream's CheckGracefulDelete: the grace period (seconds) a delete of `obj` waits
   * for, given the period the request asked for. Present: the kind deletes gracefully
   * (the generic store sets deletionTimestamp = now + period and keeps the object while
   * the period is above zero); absent: objects go at once.
   */
  gracePeriod?(obj: T, requested: number | undefined): number;
  /**
   * What happens to dependents when the request names no propagation policy, by the
   * request's version (upstream's DefaultGarbageCollectionPolicy). Absent: DeleteDependents.
   */
  garbageCollectionPolicy?(version: string): GarbageCollectionPolicy;
  /** A warning for deletes that leave the policy to a default of OrphanDependents (batch/v1 Job). */
  orphanByDefaultWarning?: string;
  /**
   * Admission of a delete by name (upstream's admission plugins for the kind): throws the
   * ApiError that refuses it.
   */
  admitDelete?(name: string): void;
  /**
   * Table columns for kubectl's human-readable output (beyond Name and Age; a name column of
   * the definition's own, `format: 'name'`, replaces the default one, as StorageClass's
   * `(default)` marker needs).
   */
  printerColumns?: PrinterColumn<T>[];
  /** False: the kind prints no Age column (upstream's Role, ClusterRole and PodTemplate printers). */
  printsAge?: boolean;
  /** The order a list's Table rows print in, when upstream's list printer sorts them (FlowSchemas). */
  tableRowOrder?(a: T, b: T): number;
  /**
   * Cluster-wide unique values the kind's objects hold (a Service's cluster IPs and node
   * ports): the generic store reserves them between validation and the write, releases them
   * when the object lets them go or is removed, and repairs the reservations on start.
   */
  allocator?(ctx: AllocatorContext): Allocator;
  /**
   * Admission-like checks of a write by a user, run by the generic store on the object as decoded
   * (as upstream's policy-based RBAC storage, before the strategy prepares and validates it) and
   * before the write (RBAC's escalation prevention): each throws
   * the ApiError that refuses the write. Writes without a user (the server's own) skip them.
   */
  admission?: WriteAdmission<T>;
}

/** What a write admission sees besides the objects: who writes, where, and the server's access control. */
export interface WriteAdmissionContext {
  user: RequestUser;
  /** The object's namespace, `""` for a cluster-scoped one. */
  namespace: string;
  access: ReviewAccess;
  /** Another installed resource's storage-version store (the Role a RoleBinding names). */
  storage(group: string, resource: string): Pick<StoreAccess, 'get'> | undefined;
}

/** A definition's write admission: create and update (of the main resource; status writes skip it). */
export interface WriteAdmission<T extends object = KubeObject> {
  create?(obj: T, ctx: WriteAdmissionContext): Promise<void>;
  update?(obj: T, old: T, ctx: WriteAdmissionContext): Promise<void>;
}

/** The ranges allocators draw from (kube-apiserver's `--service-cluster-ip-range`, `--service-node-port-range`). */
export interface AllocationRanges {
  /** An IPv4 CIDR, e.g. `10.0.0.0/24`. */
  serviceClusterIpRange: string;
  /** `first-last`, e.g. `30000-32767`. */
  serviceNodePortRange: string;
}

/** Upstream's defaults when the flags are unset. */
export const DEFAULT_ALLOCATION_RANGES: AllocationRanges = { serviceClusterIpRange: '10.0.0.0/24', serviceNodePortRange: '30000-32767' };

/** What an allocator works with: the same object store as the resource, and the ranges. */
export interface AllocatorContext {
  store: ObjectStore;
  /** Storage key prefix, e.g. `/registry`. */
  prefix: string;
  ranges: AllocationRanges;
}

/**
 * Reserves, releases and repairs the unique values of one resource's objects. Every
 * reservation is a create-if-absent storage key per value, so two objects can never hold
 * one value whatever the concurrency, on any backend and across servers sharing storage.
 */
export interface Allocator {
  /** Fills in what `obj` (validated, about to be created) lacks and reserves all it holds; throws the ApiError that refuses it. */
  reserveForCreate(obj: KubeObject, dryRun: boolean): Promise<Reservation>;
  /** The same for an update from `old` (the stored object) to `obj`. */
  reserveForUpdate(obj: KubeObject, old: KubeObject, dryRun: boolean): Promise<Reservation>;
  /** Frees what a removed object held. */
  release(obj: KubeObject): Promise<void>;
  /** Makes the reservations match the stored objects: missing ones taken, leaked ones freed. */
  repair(objects: KubeObject[]): Promise<void>;
}

/** The outcome side of a reservation: commit after the write, roll back when it did not happen. */
export interface Reservation {
  /** The write happened: free what the previous state held and the new one does not. */
  commit(): Promise<void>;
  /** The write did not happen: free what this reservation newly took. */
  rollback(): Promise<void>;
}

/** Upstream's rest.GarbageCollectionPolicy. */
export type GarbageCollectionPolicy = 'DeleteDependents' | 'OrphanDependents' | 'Unsupported';

/**
 * Where a resource keeps what its `/scale` subresource shows, as the paths of a
 * CustomResourceDefinition's scale subresource: dot-separated JSON field paths such
 * as `.spec.replicas`.
 */
export interface ScaleSubresource {
  /** The desired replicas; written by scale updates. */
  specReplicasPath: string;
  /** The observed replicas. */
  statusReplicasPath: string;
  /** A label selector, in string form or as a meta/v1 LabelSelector object. */
  labelSelectorPath?: string;
}

/** A kind as the wire names it: group, version, kind and its protobuf message. */
export interface KindRef {
  group: string;
  version: string;
  kind: string;
  /** Full protobuf message name. */
  typeName: string;
}

/** One extra column of the server-side Table. */
export interface PrinterColumn<T extends object = KubeObject> {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  description: string;
  priority?: number;
  /** The column's format (`name` for the object's name column). */
  format?: string;
  cell(obj: T): string | number | boolean;
}

/**
 * Marks where Age goes in a kind's columns when upstream's printer does not put it after the
 * last priority-0 column (ResourceQuota prints it right after Name); the endpoints fill it in.
 */
export const AGE_COLUMN_SLOT: PrinterColumn = { name: 'Age', type: 'string', description: '', cell: () => '' };

/**
 * Marks where Name goes when upstream's printer does not print it first (Event prints it
 * last, in `-o wide` only): the endpoints fill in the column, with this slot's priority.
 */
export const NAME_COLUMN_SLOT: PrinterColumn = { name: 'Name', type: 'string', format: 'name', description: '', cell: () => '' };

/**
 * The column upstream's default table convertor prints for kinds without a printer of their
 * own (Role, ClusterRole, LimitRange): the creation time in RFC 3339. Such kinds print no Age.
 */
export const CREATED_AT_COLUMN: PrinterColumn = {
  name: 'Created At',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  cell: (obj) => obj.metadata?.creationTimestamp ?? '',
};

/**
 * The Name slot without the `name` format, first: upstream's StorageVersionMigration printer
 * declares its Name column so.
 */
export const PLAIN_NAME_COLUMN_SLOT: PrinterColumn = { ...NAME_COLUMN_SLOT, format: '' };

/** The Name slot at `-o wide` priority. */
export const WIDE_NAME_COLUMN_SLOT: PrinterColumn = { ...NAME_COLUMN_SLOT, priority: 1 };

/** `apps/v1` or `v1`. */
export function definitionApiVersion(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** A resource served in one version: the proto message names follow the Kubernetes convention. */
export function onlyVersion(version: string, typeName: string): Pick<ResourceDefinition, 'versions' | 'storageVersion'> {
  return { versions: [{ version, typeName, listTypeName: `${typeName}List` }], storageVersion: version };
}

/** Where a proxied request goes: a scheme and an address an object named. */
export interface ProxyTarget {
  scheme: 'http' | 'https';
  /** An IP address (never a name from the request). */
  host: string;
  /** Absent: the scheme's default port. */
  port?: number;
}

/** What a proxy request asked for beside the object's name (`[scheme:]name[:port]`). */
export interface ProxyRequest {
  scheme: '' | 'http' | 'https';
  port: string;
}

/** Reads another object the location depends on (a Service's Endpoints, their Pods). */
export type ProxyLookup = (resource: string, namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

/**
 * A `/proxy` subresource (upstream's ResourceLocation): the options kind discovery names,
 * and where a request for an object goes. Throws the ApiError upstream answers when the
 * object names no reachable address.
 */
export interface ProxySubresource<T extends object = KubeObject> {
  /** core/v1 `PodProxyOptions`, `ServiceProxyOptions`, `NodeProxyOptions`. */
  optionsKind: string;
  locate(obj: T, request: ProxyRequest, lookup: ProxyLookup): Promise<ProxyTarget>;
}

/**
 * What actions and computed resources use of a resource's store; every ResourceStore is one
 * (declared here, structurally, so definitions need not import the store contract).
 */
export interface StoreAccess {
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
  list(namespace: string | undefined, query: { labelSelector?: string; fieldSelector?: string }): Promise<{ items: KubeObject[] }>;
  update(
    namespace: string | undefined,
    name: string,
    updater: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { dryRun?: boolean; target: 'main' | 'status' | 'system' },
  ): Promise<KubeObject>;
  delete(
    namespace: string | undefined,
    name: string,
    opts: {
      dryRun?: boolean;
      gracePeriodSeconds?: number;
      preconditions?: { uid?: string; resourceVersion?: string };
      propagationPolicy?: string;
      orphanDependents?: boolean;
    },
  ): Promise<{ object: KubeObject; gone: boolean }>;
}

/** What one request to an action subresource carries, and what it may reach. */
export interface ActionRequest {
  namespace: string | undefined;
  /** The parent object's name, from the path. */
  name: string;
  /** The decoded body, as the kind it was sent as (one of the action's kinds), with its apiVersion and kind. */
  body: KubeObject;
  /** The request's `dryRun` values (CreateOptions). */
  dryRun: string[];
  /** The parent resource's store at the version the request addressed. */
  parent: StoreAccess;
  /** Another served resource's store; undefined when it is not served. */
  resource(group: string, version: string, resource: string): StoreAccess | undefined;
  /** The server's service account token signer (absent: not wired, tokens cannot be issued). */
  tokenSigner?: ServiceAccountTokenSigner;
}

/** Signs service account tokens with the server's key, for its issuer and API audiences. */
export interface ServiceAccountTokenSigner {
  issuer: string;
  /** The API audiences: what a TokenRequest without audiences gets. */
  audiences: readonly string[];
  sign(claims: Record<string, unknown>): string;
}

/** An action's answer: the object (a Status, or the action's kind) and its HTTP code. */
export interface ActionResult {
  code: number;
  object: KubeObject;
  warnings?: string[];
}

/**
 * A create-only subresource speaking its own kind, as upstream's named creaters (BindingREST,
 * EvictionREST, TokenREST): a POST to `RESOURCE/NAME/SUBRESOURCE` runs `create` with the decoded
 * body. Discovery lists it with verb create and `kind`.
 */
export interface ActionSubresource {
  name: string;
  /** The kind discovery names and replies default to. */
  kind: KindRef;
  /** Further kinds a body may be sent as (policy/v1beta1 Eviction beside policy/v1). */
  accepts?: KindRef[];
  create(request: ActionRequest): Promise<ActionResult>;
}

/** What a computed resource reads from. */
export interface ComputedContext {
  /** The object store the server keeps everything in. */
  store: ObjectStore;
  /** Another installed resource's storage-version store (bindings write pods through it). */
  storage(group: string, resource: string): StoreAccess | undefined;
  /** The storage backend as a component name: `etcd-0` on etcd, `storage` for the embedded store. */
  storageComponent: string;
  /** The server's authentication and authorization, for the access reviews (absent: not wired). */
  access?(): ReviewAccess | undefined;
}

/** A request an access review asks about: a resource request or a non-resource path. */
export type ReviewRequest =
  | { resource: { namespace: string; verb: string; group: string; version: string; resource: string; subresource: string; name: string } }
  | { nonResource: { path: string; verb: string } };

/** A rule as SelfSubjectRulesReview reports it. */
export interface ReviewRules {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

/** What the access reviews (TokenReview, SubjectAccessReview, …) ask of the server's access control. */
export interface ReviewAccess {
  /** The authorizer chain's answer for `user` making `request`. */
  authorize(user: RequestUser, request: ReviewRequest): Promise<{ allowed: boolean; denied: boolean; reason: string }>;
  /** The rules `user` holds in `namespace` (cluster-wide ones included; empty: cluster-wide only). */
  rules(user: RequestUser, namespace: string): Promise<ReviewRules>;
  /** The user a bearer token proves, or undefined. */
  authenticateToken(token: string): Promise<RequestUser | undefined>;
}

/**
 * A resource whose answers are computed on request instead of stored: reads (upstream's
 * componentstatuses REST) or a create that acts on another resource (the legacy `bindings`).
 */
export interface ComputedResource {
  /** Every object, in order. */
  list?(ctx: ComputedContext): Promise<KubeObject[]>;
  /** One object by name; throws the ApiError upstream answers when there is none. */
  get?(ctx: ComputedContext, name: string): Promise<KubeObject>;
  /** A create: what the request answers (a Status or an object); `user` is the requester. */
  create?(ctx: ComputedContext, namespace: string | undefined, obj: KubeObject, dryRun: boolean, user?: RequestUser): Promise<KubeObject>;
}
