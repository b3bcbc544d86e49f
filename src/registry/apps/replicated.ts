/**
 * What Deployments and ReplicaSets share: a selector that selects something and matches
 * the pod template's labels, a template whose pods always restart, a selector that never
 * changes once set (apps/v1), and non-negative replica counts in status.
 */
import type { PodTemplateSpec } from '../../../gen/kube/core-v1.js';
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { validatePodTemplate } from '../core/pod-spec.js';
import { isEmptySelector, selectorMatchesTemplate, selectorValue, templateLabelsValue, validateNonNegative } from '../core/workload.js';

/** The part of a Deployment or ReplicaSet spec both validate alike. */
export interface ReplicatedSpec {
  selector?: LabelSelector;
  template?: PodTemplateSpec;
}

/** Upstream's selector and template rules for replicated pods (ValidatePodTemplateSpecForReplicaSet). */
export function validateReplicatedSpec(spec: ReplicatedSpec): FieldError[] {
  const errs: FieldError[] = [];
  const { selector, template } = spec;
  if (!selector) {
    errs.push(required('spec.selector', ''));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    // Upstream says "deployment" for ReplicaSets too.
    if (isEmptySelector(selector)) errs.push(invalidValue('spec.selector', selectorValue(selector), 'empty selector is invalid for deployment'));
  }
  if (!template) {
    errs.push(required('spec.template', ''));
    return errs;
  }
  // A missing selector selects nothing, so it never matches the template either.
  if (!selector || (!isEmptySelector(selector) && !selectorMatchesTemplate(selector, template))) {
    errs.push(invalidValue('spec.template.metadata.labels', templateLabelsValue(template), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(template, 'spec.template'));
  const podSpec = template.spec ?? {};
  if (podSpec.restartPolicy !== 'Always') {
    errs.push(notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  }
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** apps/v1 selectors are immutable. */
export function validateSelectorUnchanged(spec: ReplicatedSpec | undefined, old: ReplicatedSpec | undefined): FieldError[] {
  return jsonEqual(spec?.selector, old?.selector) ? [] : [invalidValue('spec.selector', selectorValue(spec?.selector), 'field is immutable')];
}

/** Every named status count is zero or more. */
export function validateStatusCounts<S extends object>(status: S | undefined, fields: readonly (keyof S & string)[]): FieldError[] {
  return fields.flatMap((f) => validateNonNegative(status?.[f], `status.${f}`));
}
