/**
 * A resource is a definition plus strategy objects. Routes, discovery, gRPC services
 * and OpenAPI are all derived from these definitions.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { KindSchema } from '../../machinery/runtime/kind-schema.js';
import type { ObjectStore } from '../../storage/object-store.js';
import type { NameValidator, Strategy } from './strategy.js';

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
 * batch/v2alpha1 served `scheduledjobs` (kind ScheduledJob) beside `cronjobs`.
 */
export interface ResourceAlias {
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
  /** Extra field-selector fields beyond metadata.name/metadata.namespace. */
  selectableFields?(obj: T): Record<string, string>;
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
  /** Table columns for kubectl's human-readable output (beyond Name and Age). */
  printerColumns?: PrinterColumn<T>[];
  /** False: the kind prints no Age column (upstream's Role, ClusterRole and PodTemplate printers). */
  printsAge?: boolean;
  /**
   * Cluster-wide unique values the kind's objects hold (a Service's cluster IPs and node
   * ports): the generic store reserves them between validation and the write, releases them
   * when the object lets them go or is removed, and repairs the reservations on start.
   */
  allocator?(ctx: AllocatorContext): Allocator;
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
  cell(obj: T): string | number | boolean;
}

/**
 * Marks where Age goes in a kind's columns when upstream's printer does not put it after the
 * last priority-0 column (ResourceQuota prints it right after Name); the endpoints fill it in.
 */
export const AGE_COLUMN_SLOT: PrinterColumn = { name: 'Age', type: 'string', description: '', cell: () => '' };

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
