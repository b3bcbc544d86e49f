/**
 * Admission: what a write is, as the plugins that may change or refuse it see it (upstream's
 * admission.Attributes), and the chain that runs them. Mutating admission runs in the
 * handlers (before the store prepares the object; for updates inside the compare-and-swap
 * function, so it sees the current object); validating admission runs in the generic store
 * after the strategy, just before the write (inside the compare-and-swap function for
 * updates), and before a delete. A plugin refuses by throwing an ApiError.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { RequestUser } from './strategy.js';

/** The operation admitted, as upstream names it. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** A group, version and kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** One write as admission sees it. Objects are in the request's version and typed (`apiVersion`, `kind` of `kind`). */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  /** The resource addressed, in the version the request speaks. */
  group: string;
  version: string;
  resource: string;
  /** `status`, `scale`, `binding`, `eviction`, `token`, …; absent: the object itself. */
  subresource?: string;
  /** The kind of `object` (a subresource's own kind where it has one: `Scale`, `Binding`, `TokenRequest`). */
  kind: GroupVersionKind;
  namespace?: string;
  /** The object's name ("" for a create whose name the server generates, until it is generated). */
  name: string;
  /** The new object (CREATE, UPDATE, CONNECT); absent for DELETE. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  user: RequestUser;
  /** `dryRun=All`: plugins with side effects (quota charging) must not make them. */
  dryRun: boolean;
  /** The operation's options (CreateOptions, UpdateOptions, PatchOptions, DeleteOptions) as sent. */
  options?: unknown;
  /** Where plugins add warnings for the client (HTTP `Warning` headers), as upstream's warning recorder. */
  warnings?: string[];
}

/** One admission plugin; it has a mutating part, a validating part, or both. */
export interface AdmissionPlugin {
  /** Upstream's plugin name (`NamespaceLifecycle`, `LimitRanger`, …). */
  readonly name: string;
  /**
   * Changes the object: returns the new one, or changes `a.object` in place and returns
   * nothing. Called for CREATE, UPDATE and CONNECT only.
   */
  mutate?(a: AdmissionAttributes): Promise<KubeObject | void>;
  /** Refuses by throwing an ApiError. Must not change the object. */
  validate?(a: AdmissionAttributes): Promise<void>;
}

/** The plugins in order. */
export interface AdmissionChain {
  /**
   * Runs every mutating plugin in order, each seeing the previous one's output; returns the
   * final object (undefined when the attributes carry none).
   */
  mutate(a: AdmissionAttributes): Promise<KubeObject | undefined>;
  /** Runs every validating plugin in order; the first refusal is thrown. */
  validate(a: AdmissionAttributes): Promise<void>;
}

/**
 * What the handlers know about a write beyond the object: passed down in the store's write
 * options so that validating admission in the store describes the request as the client made
 * it. A write without it is one the server makes itself (controllers), admitted as
 * `SERVER_USER` at the storage version.
 */
export interface AdmissionRequest {
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  kind: GroupVersionKind;
  user: RequestUser;
  options?: unknown;
  /**
   * Converts a storage-version object to the request's version (set by the version view when
   * they differ), so validating plugins see what mutating ones saw.
   */
  fromStorage?: (obj: KubeObject) => KubeObject;
  /**
   * What admission sees of a request-version object, when the subresource shows the object
   * as a kind of its own (the Scale of a Deployment); absent: the object itself.
   */
  view?: (obj: KubeObject) => KubeObject;
  /** The request's warning sink (AdmissionAttributes.warnings). */
  warnings?: string[];
}

/** `obj` with `apiVersion` and `kind` of `gvk` when it carries none (admission's objects are typed). */
export function typedAs(obj: KubeObject, gvk: GroupVersionKind): KubeObject {
  if (obj.kind) return obj;
  return { apiVersion: gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, kind: gvk.kind, ...obj };
}

/** Who the server's own writes run as (upstream's loopback user). */
export const SERVER_USER: RequestUser = { name: 'system:apiserver', groups: ['system:authenticated', 'system:masters'] };

/** The chain of `plugins`, in the given order. */
export function admissionChain(plugins: readonly AdmissionPlugin[]): AdmissionChain {
  const mutating = plugins.filter((p) => p.mutate);
  const validating = plugins.filter((p) => p.validate);
  return {
    async mutate(a) {
      let object = a.object;
      if (!object || a.operation === 'DELETE') return object;
      for (const p of mutating) {
        const out = await p.mutate!({ ...a, object });
        if (out) object = out;
      }
      return object;
    },
    async validate(a) {
      for (const p of validating) await p.validate!(a);
    },
  };
}

/** The chain that admits everything. */
export const EMPTY_ADMISSION: AdmissionChain = admissionChain([]);
