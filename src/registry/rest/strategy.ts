/**
 * Strategy objects: how one resource differs from the generic store. All functions are
 * pure over plain Kubernetes JSON; prepare and canonicalize functions mutate the object
 * they are given, validate functions never mutate (the store may hand them frozen
 * objects) and return field errors.
 *
 * `T` is the kind's Kubernetes JSON shape (a generated gen/kube interface) for built-in
 * kinds, the untyped {@link KubeObject} for dynamic ones. The store only hands a strategy
 * objects decoded through the kind's schema, so a `T` parameter is what it claims to be.
 * Every member takes `T` as a parameter only (method syntax), which keeps a
 * `Strategy<Pod>` usable where a `Strategy` is expected.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { FieldError } from '../../machinery/validation/field-error.js';

/**
 * The group version a write was requested in, when it is not the storage version's
 * (upstream's request info): the few kinds whose validation depends on it (events.k8s.io/v1
 * Event is checked more strictly than core/v1's) read it; the others never look.
 */
export interface RequestVersion {
  group: string;
  version: string;
}

/** The user a request runs as, as authentication names it (upstream's user.Info). */
export interface RequestUser {
  name: string;
  uid?: string;
  groups: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a strategy may know about the request beside the object. */
export interface StrategyContext {
  /** The requesting user, when the request came through a transport. */
  user?: RequestUser;
  /** The group version the write was requested in, when not the storage version's. */
  request?: RequestVersion;
}

/** Per-resource behaviour for create and update of the main resource. */
export interface Strategy<T extends object = KubeObject> {
  /** Clears or defaults fields on create (e.g. reset status, set phase; a CSR's requestor from `ctx.user`). */
  prepareForCreate?(obj: T, ctx?: StrategyContext): void;
  /** Carries fields over from the stored object on update (e.g. keep status). */
  prepareForUpdate?(obj: T, old: T): void;
  /** Kind-specific validation on create; `request` is absent for writes in the storage version. */
  validate?(obj: T, request?: RequestVersion): FieldError[];
  /** Kind-specific validation on update (immutable fields, …). */
  validateUpdate?(obj: T, old: T, request?: RequestVersion): FieldError[];
  /** Final normalization before storing. */
  canonicalize?(obj: T): void;
}

/**
 * Names: which validator applies to `metadata.name`. It sees the object too, for kinds whose
 * name rule depends on a field (a ClusterTrustBundle's name starts with its signer name).
 */
export type NameValidator = (name: string, obj?: KubeObject) => string[];
