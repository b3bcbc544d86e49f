/**
 * A resource is a definition plus strategy objects. Routes, discovery, gRPC services
 * and OpenAPI are all derived from these definitions.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { NameValidator, Strategy } from './strategy.js';

/**
 * Everything the server needs to know to serve one resource. `T` is the kind's Kubernetes
 * JSON shape for the hooks (strategies, selectable fields, graceful deletion, printer
 * cells); it appears in parameter positions only, so a `ResourceDefinition<Pod>` is a
 * `ResourceDefinition`.
 */
export interface ResourceDefinition<T extends object = KubeObject> {
  /** API group, `""` for core. */
  group: string;
  version: string;
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
  /** Full protobuf message names of the object and its list. */
  typeName: string;
  listTypeName: string;
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
  /** Present when the resource has a `/scale` subresource (autoscaling/v1 Scale). */
  scale?: ScaleSubresource;
  /** Extra field-selector fields beyond metadata.name/metadata.namespace. */
  selectableFields?(obj: T): Record<string, string>;
  /**
   * Graceful deletion: given a private copy of the stored object, marks it for deletion
   * in place and returns true to keep it, or returns false to remove the object now.
   * Objects with metadata.finalizers are always kept until their finalizers are gone.
   */
  gracefulDelete?(obj: T): boolean;
  /** Table columns for kubectl's human-readable output (beyond Name and Age). */
  printerColumns?: PrinterColumn<T>[];
}

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
  type: 'string' | 'integer' | 'date';
  description: string;
  priority?: number;
  cell(obj: T): string | number;
}

/** `apps/v1` or `v1`. */
export function definitionApiVersion(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
