/**
 * Structured selection: what a watch cache needs to filter objects without decoding them.
 * The registry computes an object's attributes (labels and selectable fields) once per
 * stored version; a selection decides from them alone.
 */
import type { KubeObject } from '../../machinery/meta/object.js';

/** The labels and the field-selector values of one object. */
export interface SelectionAttributes {
  labels: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, string>>;
}

/** A label and field selection, decided from attributes. */
export interface Selection {
  matches(attrs: SelectionAttributes): boolean;
  /** `field=value` requirements every match must meet: what an index can answer. */
  exactFields?: Readonly<Record<string, string>>;
}

/** How a resource's objects map to their attributes. */
export type AttributesOf = (obj: KubeObject) => SelectionAttributes;
