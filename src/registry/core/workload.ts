/**
 * Pieces shared by workload controllers' resources (deployments, jobs, cron jobs):
 * non-negative integer fields, structured selectors against template labels.
 */
import { labelSelectorFromObject } from '../../machinery/selection/index.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { asObject, asObjects, asStringMap, type JsonObject } from './fields.js';

/** Upstream's ValidateNonnegativeField. */
export function validateNonNegative(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && value >= 0 ? [] : [invalidValue(path, value, 'must be greater than or equal to 0')];
}

/** Whether a meta/v1 LabelSelector selects nothing-in-particular (no labels, no expressions). */
export function isEmptySelector(selector: JsonObject): boolean {
  return Object.keys(asStringMap(selector.matchLabels)).length === 0 && asObjects(selector.matchExpressions).length === 0;
}

/** Whether a structured selector matches the template's labels. */
export function selectorMatchesTemplate(selector: JsonObject, template: JsonObject | undefined): boolean {
  const labels = asStringMap(asObject(template?.metadata)?.labels);
  const matchExpressions = asObjects(selector.matchExpressions).map((e) => ({
    key: String(e.key ?? ''),
    operator: String(e.operator ?? ''),
    values: Array.isArray(e.values) ? e.values.map(String) : [],
  }));
  return labelSelectorFromObject({ matchLabels: asStringMap(selector.matchLabels), matchExpressions }).matches(labels);
}

/** The labels map of `template.metadata`, for error values. */
export function templateLabels(template: JsonObject | undefined): Record<string, string> {
  return asStringMap(asObject(template?.metadata)?.labels);
}
