/**
 * Pieces shared by workload controllers' resources (deployments, jobs, cron jobs):
 * non-negative integer fields, structured selectors against template labels.
 */
import type { PodTemplateSpec } from '../../../gen/kube/core-v1.js';
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { labelSelectorFromObject } from '../../machinery/selection/index.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import type { PrinterColumn } from '../rest/definition.js';
import { str } from './fields.js';

/** Upstream's ValidateNonnegativeField. */
export function validateNonNegative(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && value >= 0 ? [] : [invalidValue(path, value, 'must be greater than or equal to 0')];
}

/** Whether a meta/v1 LabelSelector selects nothing-in-particular (no labels, no expressions). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Whether a structured selector matches the template's labels. */
export function selectorMatchesTemplate(selector: LabelSelector, template: PodTemplateSpec | undefined): boolean {
  const matchExpressions = (selector.matchExpressions ?? []).map((e) => ({
    key: String(e.key ?? ''),
    operator: String(e.operator ?? ''),
    values: Array.isArray(e.values) ? e.values.map(String) : [],
  }));
  return labelSelectorFromObject({ matchLabels: { ...selector.matchLabels }, matchExpressions }).matches(templateLabels(template));
}

/** The labels map of `template.metadata`, for error values. */
export function templateLabels(template: PodTemplateSpec | undefined): Record<string, string> {
  return { ...template?.metadata?.labels };
}

/** A workload whose pods come from a template (the shape the wide columns read). */
interface Templated {
  spec?: { template?: PodTemplateSpec };
}

const containersOf = (obj: Templated) => obj.spec?.template?.spec?.containers ?? [];

/** The `-o wide` Containers and Images columns upstream's workload printers share. */
export function templateContainerColumns<T extends Templated>(): PrinterColumn<T>[] {
  return [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (obj) => containersOf(obj).map((c) => str(c.name)).join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (obj) => containersOf(obj).map((c) => str(c.image)).join(',') },
  ];
}
