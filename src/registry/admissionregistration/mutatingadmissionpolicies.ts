/**
 * admissionregistration.k8s.io/v1alpha1 MutatingAdmissionPolicy (alpha, off until
 * --runtime-config turns it on): stored, defaulted and validated as upstream 1.33, with the
 * ValidatingAdmissionPolicy's shared checks (rules.ts). CEL expressions are checked for
 * presence only, not compiled or type-checked; applying the mutations is a later step.
 */
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicySpec, Mutation } from '../../../gen/kube/admissionregistration-v1alpha1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { defaultPolicySpec, FAILURE_POLICIES, validateMatchConditions, validateMatchConstraints, validateMutatingOperations, validateParamKind, validateVariables } from './rules.js';

const PATCH_TYPES = ['ApplyConfiguration', 'JSONPatch'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];

/** SetDefaults_MutatingAdmissionPolicySpec (failure policy Fail) and the match constraints' defaults; reinvocationPolicy has none. */
function defaults(obj: MutatingAdmissionPolicy): void {
  defaultPolicySpec(obj.spec);
}

/** One mutation: its patch type, and exactly the member that type names, with an expression. */
function validateMutation(m: Mutation, path: string): FieldError[] {
  const patchType = str(m.patchType);
  if (patchType === '') return [required(`${path}.patchType`)];
  const errs: FieldError[] = [];
  const expression = (member: { expression?: string } | undefined | null, memberPath: string): void => {
    if (!member) return;
    if (str(member.expression).trim() === '') errs.push(required(`${memberPath}.expression`));
  };
  if (patchType === 'JSONPatch') {
    if (!m.jsonPatch) errs.push(required(`${path}.jsonPatch`, 'must be specified when patchType is JSONPatch'));
    else expression(m.jsonPatch, `${path}.jsonPatch`);
    if (m.applyConfiguration) errs.push(invalidValue(`${path}.applyConfiguration`, '{applyConfiguration}', 'must not be specified when patchType is JSONPatch'));
  } else if (patchType === 'ApplyConfiguration') {
    if (!m.applyConfiguration) errs.push(required(`${path}.applyConfiguration`, 'must be specified when patchType is ApplyConfiguration'));
    else expression(m.applyConfiguration, `${path}.applyConfiguration`);
    if (m.jsonPatch) errs.push(invalidValue(`${path}.jsonPatch`, '{jsonPatch}', 'must not be specified when patchType is ApplyConfiguration'));
  } else {
    errs.push(notSupported(`${path}.patchType`, patchType, PATCH_TYPES));
  }
  return errs;
}

function validateSpec(spec: MutatingAdmissionPolicySpec): FieldError[] {
  const errs: FieldError[] = [];
  const p = 'spec';
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) errs.push(required(`${p}.failurePolicy`));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(notSupported(`${p}.failurePolicy`, spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(str(spec.paramKind.apiVersion), str(spec.paramKind.kind), `${p}.paramKind`));
  errs.push(...validateMatchConstraints(spec.matchConstraints, `${p}.matchConstraints`));
  errs.push(...validateMutatingOperations(spec.matchConstraints, `${p}.matchConstraints`));
  errs.push(...validateMatchConditions(spec.matchConditions, `${p}.matchConditions`));
  errs.push(...validateVariables(spec.variables, `${p}.variables`));
  const mutations = spec.mutations ?? [];
  if (mutations.length === 0) errs.push(required(`${p}.mutations`, 'mutations must contain at least one item'));
  mutations.forEach((m, i) => errs.push(...validateMutation(m, `${p}.mutations[${i}]`)));
  const reinvocation = str(spec.reinvocationPolicy);
  if (reinvocation === '') errs.push(required(`${p}.reinvocationPolicy`));
  else if (!REINVOCATION_POLICIES.includes(reinvocation)) errs.push(notSupported(`${p}.reinvocationPolicy`, reinvocation, REINVOCATION_POLICIES));
  return errs;
}

const validatePolicy = (obj: MutatingAdmissionPolicy): FieldError[] => validateSpec(obj.spec ?? {});

/** The MutatingAdmissionPolicy resource. */
export const mutatingAdmissionPolicies: ResourceDefinition<MutatingAdmissionPolicy> = {
  ...declared('admissionregistration.k8s.io', 'mutatingadmissionpolicies', {
    v1alpha1: { defaults: (obj) => defaults(obj as MutatingAdmissionPolicy) },
  }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaults,
    prepareForUpdate: defaults,
    validate: validatePolicy,
    validateUpdate: validatePolicy,
  },
  printerColumns: [
    { name: 'Mutations', type: 'integer', description: 'Mutation indicates the number of mutations rules defined in this configuration', cell: (obj) => (obj.spec?.mutations ?? []).length },
    {
      name: 'ParamKind',
      type: 'string',
      description: 'ParamKind specifies the kind of resources used to parameterize this policy',
      cell: (obj) => (obj.spec?.paramKind ? `${str(obj.spec.paramKind.apiVersion)}/${str(obj.spec.paramKind.kind)}` : '<unset>'),
    },
  ],
};
