/**
 * Pieces shared by workload controllers' resources (deployments, jobs, cron jobs):
 * non-negative integer fields, structured selectors against template labels.
 */
import type { Container, PodTemplateSpec } from '../../../gen/kube/core-v1.js';
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { labelSelectorFromObject } from '../../machinery/selection/index.js';
import { type FieldError, GO_LABEL_SELECTOR, GO_STRING_MAP, type GoValue, goValue, invalidValue } from '../../machinery/validation/field-error.js';
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

/** The labels map of `template.metadata`, for matching. */
export function templateLabels(template: PodTemplateSpec | undefined): Record<string, string> {
  return { ...template?.metadata?.labels };
}

/** The template's labels as upstream's error values hold them (a Go map, nil when unset). */
export function templateLabelsValue(template: PodTemplateSpec | undefined): GoValue {
  return goValue(GO_STRING_MAP, template?.metadata?.labels);
}

/** A structured selector as upstream's error values hold it (a *metav1.LabelSelector). */
export function selectorValue(selector: LabelSelector | undefined | null): GoValue {
  return goValue(GO_LABEL_SELECTOR, selector);
}

/** A workload whose pods come from a template (the shape the wide columns read). */
interface Templated {
  spec?: { template?: PodTemplateSpec };
}

const containersOf = (obj: object): Container[] => (obj as Templated).spec?.template?.spec?.containers ?? [];

/** The `-o wide` Containers and Images columns upstream's workload printers share (layoutContainerCells). */
export function templateContainerColumns<T extends object>(containers: (obj: T) => Container[] = containersOf): PrinterColumn<T>[] {
  return [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (obj) => containers(obj).map((c) => str(c.name)).join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (obj) => containers(obj).map((c) => str(c.image)).join(',') },
  ];
}

/** The `-o wide` Selector column (a workload's structured selector, as metav1.FormatLabelSelector prints it). */
export function selectorColumn<T extends object>(description: string, selector: (obj: T) => LabelSelector | undefined): PrinterColumn<T> {
  return { name: 'Selector', type: 'string', priority: 1, description, cell: (obj) => formatLabelSelector(selector(obj)) };
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** apimachinery's FormatLabelSelector: `<none>` for an empty selector, requirements sorted by key. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const parts: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) parts.push([k, `${k}=${v}`]);
  for (const e of selector?.matchExpressions ?? []) {
    const key = str(e.key);
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push([key, `${key} in (${values})`]);
    else if (e.operator === 'NotIn') parts.push([key, `${key} notin (${values})`]);
    else if (e.operator === 'Exists') parts.push([key, key]);
    else if (e.operator === 'DoesNotExist') parts.push([key, `!${key}`]);
  }
  if (parts.length === 0) return '<none>';
  return parts
    .sort(byKey)
    .map((p) => p[1])
    .join(',');
}

/** apimachinery's labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when there are none. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {}).sort(byKey);
  return pairs.length === 0 ? '<none>' : pairs.map(([k, v]) => `${k}=${v}`).join(',');
}

/** Upstream's printBoolPtr: `True`, `False` or `<unset>`. */
export function printBoolPtr(value: unknown): string {
  return typeof value === 'boolean' ? (value ? 'True' : 'False') : '<unset>';
}
