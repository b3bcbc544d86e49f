/**
 * Strategy objects: how one resource differs from the generic store. All functions are
 * pure over plain Kubernetes JSON; prepare functions mutate the object they are given,
 * validate functions never mutate and return field errors.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { FieldError } from '../../machinery/validation/field-error.js';

/** Per-resource behaviour for create and update of the main resource. */
export interface Strategy {
  /** Clears or defaults fields on create (e.g. reset status, set phase). */
  prepareForCreate?(obj: KubeObject): void;
  /** Carries fields over from the stored object on update (e.g. keep status). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Kind-specific validation on create. */
  validate?(obj: KubeObject): FieldError[];
  /** Kind-specific validation on update (immutable fields, …). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Final normalization before storing. */
  canonicalize?(obj: KubeObject): void;
}

/** Names: which validator applies to `metadata.name`. */
export type NameValidator = (name: string) => string[];
