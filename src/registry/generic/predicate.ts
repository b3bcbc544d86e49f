/**
 * Selection predicates: label and field selectors compiled once per request and applied
 * by the storage layer to lists and watches.
 */
import { badRequest } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type LabelSelector, parseFieldSelector, parseLabelSelector, SelectorParseError } from '../../machinery/selection/index.js';
import { fieldErrorBody, invalidValue } from '../../machinery/validation/field-error.js';
import { isQualifiedName, isValidLabelValue } from '../../machinery/validation/names.js';
import type { ServedResource } from '../rest/served.js';
import type { Selection, SelectionAttributes } from '../../storage/cache/selection.js';

/** The fields a resource exposes to field selectors. */
export function selectableFields(def: ServedResource, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return def.selectableFields ? { ...fields, ...def.selectableFields(obj) } : fields;
}

/** What a watch cache keeps of each object to select it without decoding: labels and selectable fields. */
export function selectionAttributes(def: ServedResource): (obj: KubeObject) => SelectionAttributes {
  return (obj) => ({ labels: obj.metadata?.labels ?? {}, fields: selectableFields(def, obj) });
}

/** Supported field labels of a resource, for the error message. */
function supportedFieldLabels(def: ServedResource): Set<string> {
  const probe = selectableFields(def, { metadata: {} });
  return new Set(Object.keys(probe));
}

/**
 * Label keys and values must be valid, as upstream's labels.NewRequirement checks:
 * `unable to parse requirement: values[0][app]: Invalid value: "-x": …`.
 */
function checkLabelRequirements(selector: LabelSelector): void {
  for (const r of selector.requirements) {
    const errs = isQualifiedName(r.key).map((m) => invalidValue('key', r.key, m));
    if (r.operator !== 'gt' && r.operator !== 'lt') {
      r.values.forEach((v, i) => errs.push(...isValidLabelValue(v).map((m) => invalidValue(`values[${i}][${r.key}]`, v, m))));
    }
    if (errs.length === 0) continue;
    const list = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
    throw badRequest(`unable to parse requirement: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`);
  }
}

/** A compiled label and field selection: a predicate on objects and the same on cached attributes. */
export interface CompiledSelection {
  predicate: (obj: KubeObject) => boolean;
  selection: Selection;
}

/** Builds the predicate for a label and field selector, or undefined when both are empty. */
export function buildPredicate(
  def: ServedResource,
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): ((obj: KubeObject) => boolean) | undefined {
  return compileSelection(def, labelSelector, fieldSelector)?.predicate;
}

/** Compiles a label and field selector (400 on a bad one); undefined when both are empty. */
export function compileSelection(def: ServedResource, labelSelector: string | undefined, fieldSelector: string | undefined): CompiledSelection | undefined {
  try {
    const labels = parseLabelSelector(labelSelector);
    checkLabelRequirements(labels);
    const fields = parseFieldSelector(fieldSelector);
    if (!fields.empty) {
      const supported = supportedFieldLabels(def);
      for (const r of fields.requirements) {
        if (!supported.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
      }
    }
    if (labels.empty && fields.empty) return undefined;
    const exactFields: Record<string, string> = {};
    for (const r of fields.requirements) if (r.operator === '=' && !Object.hasOwn(exactFields, r.field)) exactFields[r.field] = r.value;
    const matches = (attrs: SelectionAttributes): boolean =>
      (labels.empty || labels.matches(attrs.labels)) && (fields.empty || fields.matches(attrs.fields));
    const attributes = selectionAttributes(def);
    return {
      predicate: (obj) => matches(attributes(obj)),
      selection: { matches, ...(Object.keys(exactFields).length > 0 ? { exactFields } : {}) },
    };
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
}
