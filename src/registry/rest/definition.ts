/**
 * A resource is a definition plus strategy objects. Routes, discovery, gRPC services
 * and OpenAPI are all derived from these definitions.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { NameValidator, Strategy } from './strategy.js';

/** Everything the server needs to know to serve one resource. */
export interface ResourceDefinition {
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
  /** Delete answers with the deleted object rather than a success Status. */
  returnDeletedObject?: boolean;
  strategy: Strategy;
  /** Present when the resource has a `/status` subresource. */
  statusStrategy?: Strategy;
  /** Extra field-selector fields beyond metadata.name/metadata.namespace. */
  selectableFields?: (obj: KubeObject) => Record<string, string>;
  /**
   * Graceful deletion: given the stored object, returns the object to keep (marked for
   * deletion) or undefined to remove it now. Objects with metadata.finalizers are always
   * kept until their finalizers are gone.
   */
  gracefulDelete?: (obj: KubeObject) => KubeObject | undefined;
  /** Table columns for kubectl's human-readable output (beyond Name and Age). */
  printerColumns?: PrinterColumn[];
}

/** One extra column of the server-side Table. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  description: string;
  priority?: number;
  cell: (obj: KubeObject) => string | number;
}

/** `apps/v1` or `v1`. */
export function definitionApiVersion(def: ResourceDefinition): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
