/**
 * Selection predicates: label and field selectors compiled once per request and applied
 * by the storage layer to lists and watches.
 */
import { badRequest } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { parseFieldSelector, parseLabelSelector, SelectorParseError } from '../../machinery/selection/index.js';
import type { ResourceDefinition } from '../rest/definition.js';

/** The fields a resource exposes to field selectors. */
export function selectableFields(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return def.selectableFields ? { ...fields, ...def.selectableFields(obj) } : fields;
}

/** Supported field labels of a resource, for the error message. */
function supportedFieldLabels(def: ResourceDefinition): Set<string> {
  const probe = selectableFields(def, { metadata: {} });
  return new Set(Object.keys(probe));
}

/** Builds the predicate for a label and field selector, or undefined when both are empty. */
export function buildPredicate(
  def: ResourceDefinition,
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): ((obj: KubeObject) => boolean) | undefined {
  try {
    const labels = parseLabelSelector(labelSelector);
    const fields = parseFieldSelector(fieldSelector);
    if (!fields.empty) {
      const supported = supportedFieldLabels(def);
      for (const r of fields.requirements) {
        if (!supported.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
      }
    }
    if (labels.empty && fields.empty) return undefined;
    return (obj) =>
      (labels.empty || labels.matches(obj.metadata?.labels)) && (fields.empty || fields.matches(selectableFields(def, obj)));
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
}
