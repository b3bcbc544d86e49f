/**
 * admissionregistration.k8s.io/v1alpha1 MutatingAdmissionPolicyBinding (alpha): a mutating
 * policy applied with parameters, validated as upstream 1.33 with the ValidatingAdmissionPolicy
 * binding's shared checks (rules.ts).
 */
import type { MutatingAdmissionPolicyBinding } from '../../../gen/kube/admissionregistration-v1alpha1.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { bindingPrinterColumns, defaultMatchResources, validateMatchResources, validateMutatingOperations, validateParamRef } from './rules.js';

/** v1alpha1's SetDefaults_ParamRef (a missing parameter denies) and the match resources' defaults. */
function defaults(obj: MutatingAdmissionPolicyBinding): void {
  const ref = obj.spec?.paramRef;
  if (ref && (ref.parameterNotFoundAction === undefined || ref.parameterNotFoundAction === null)) ref.parameterNotFoundAction = 'Deny';
  defaultMatchResources(obj.spec?.matchResources);
}

function validateBinding(obj: MutatingAdmissionPolicyBinding): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const policyName = str(spec.policyName);
  if (policyName === '') errs.push(required('spec.policyName'));
  else for (const msg of isDns1123Subdomain(policyName)) errs.push(invalidValue('spec.policyName', policyName, msg));
  errs.push(...validateParamRef(spec.paramRef, 'spec.paramRef'));
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResources'));
  errs.push(...validateMutatingOperations(spec.matchResources, 'spec.matchResources'));
  return errs;
}

/** The MutatingAdmissionPolicyBinding resource. */
export const mutatingAdmissionPolicyBindings: ResourceDefinition<MutatingAdmissionPolicyBinding> = {
  ...declared('admissionregistration.k8s.io', 'mutatingadmissionpolicybindings', {
    v1alpha1: { defaults: (obj) => defaults(obj as MutatingAdmissionPolicyBinding) },
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
