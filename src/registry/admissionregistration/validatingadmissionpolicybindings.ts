/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: a policy applied with parameters and actions. */
import type { ValidatingAdmissionPolicyBinding } from '../../../gen/kube/admissionregistration-v1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { bindingPrinterColumns, defaultMatchResources, validateMatchResources, validateParamRef } from './rules.js';

const ACTIONS = ['Audit', 'Deny', 'Warn'];

function defaults(obj: ValidatingAdmissionPolicyBinding): void {
  defaultMatchResources(obj.spec?.matchResources);
}

function validateActions(actions: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(notSupported(`${path}[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push({ type: 'Duplicate', field: `${path}[${i}]`, value: a, detail: '' });
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(invalidValue(path, actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errs.push(required(path, 'at least one validation action is required'));
  return errs;
}

function validateBinding(obj: ValidatingAdmissionPolicyBinding): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const policyName = str(spec.policyName);
  if (policyName === '') errs.push(required('spec.policyName'));
  else for (const msg of isDns1123Subdomain(policyName)) errs.push(invalidValue('spec.policyName', policyName, msg));
  errs.push(...validateParamRef(spec.paramRef, 'spec.paramRef'));
  // Upstream's path for matchResources errors carries this spelling.
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResouces'));
  errs.push(...validateActions(spec.validationActions ?? [], 'spec.validationActions'));
  return errs;
}

/** The ValidatingAdmissionPolicyBinding resource. */
export const validatingAdmissionPolicyBindings: ResourceDefinition<ValidatingAdmissionPolicyBinding> = {
  ...declared('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', {
    v1: { defaults: (obj) => defaults(obj as ValidatingAdmissionPolicyBinding) },
    v1beta1: { defaults: (obj) => defaults(obj as ValidatingAdmissionPolicyBinding) },
  }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaults,
    prepareForUpdate: defaults,
    validate: validateBinding,
    validateUpdate: validateBinding,
  },
  printerColumns: bindingPrinterColumns(),
};
