/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (with `/status`): stored and
 * validated as upstream, except that CEL expressions are only checked for presence, not
 * compiled or type-checked. Enforcing policies is a later step.
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicySpec } from '../../../gen/kube/admissionregistration-v1.js';
import type { Condition } from '../../../gen/kube/meta-v1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { defaultPolicySpec, FAILURE_POLICIES, validateMatchConditions, validateMatchConstraints, validateParamKind, validateVariables } from './rules.js';

const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_VALUE_EXPRESSION = 5 * 1024;
const VALIDATION_REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];

function defaults(obj: ValidatingAdmissionPolicy): void {
  defaultPolicySpec(obj.spec);
}

function validateSpec(name: string, spec: ValidatingAdmissionPolicySpec): FieldError[] {
  const errs: FieldError[] = [];
  const p = 'spec';
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) errs.push(required(`${p}.failurePolicy`));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(notSupported(`${p}.failurePolicy`, spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(str(spec.paramKind.apiVersion), str(spec.paramKind.kind), `${p}.paramKind`));
  errs.push(...validateMatchConstraints(spec.matchConstraints, `${p}.matchConstraints`));
  errs.push(...validateMatchConditions(spec.matchConditions, `${p}.matchConditions`));
  errs.push(...validateVariables(spec.variables, `${p}.variables`));
  const validations = spec.validations ?? [];
  const audits = spec.auditAnnotations ?? [];
  if (validations.length === 0 && audits.length === 0) {
    errs.push(required(`${p}.validations`, 'validations or auditAnnotations must contain at least one item'));
    errs.push(required(`${p}.auditAnnotations`, 'validations or auditAnnotations must contain at least one item'));
    return errs;
  }
  validations.forEach((v, i) => {
    const vp = `${p}.validations[${i}]`;
    if (str(v.expression).trim() === '') errs.push(required(`${vp}.expression`, 'expression is not specified'));
    const messageExpression = str(v.messageExpression);
    if (messageExpression.length > 0 && messageExpression.trim() === '') errs.push(invalidValue(`${vp}.messageExpression`, messageExpression, 'must be non-empty if specified'));
    const message = str(v.message);
    if (message.length > 0 && message.trim() === '') errs.push(invalidValue(`${vp}.message`, message, 'message must be non-empty if specified'));
    else if (/[\n\r]/.test(message.trim())) errs.push(invalidValue(`${vp}.message`, message, 'message must not contain line breaks'));
    if (v.reason !== undefined && v.reason !== null && !VALIDATION_REASONS.includes(v.reason)) errs.push(notSupported(`${vp}.reason`, v.reason, VALIDATION_REASONS));
  });
  if (audits.length > MAX_AUDIT_ANNOTATIONS) errs.push(invalidValue(`${p}.auditAnnotations`, audits, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const ap = `${p}.auditAnnotations[${i}]`;
    const key = str(a.key);
    if (name !== '') for (const msg of isQualifiedName(`${name}/${key}`)) errs.push(invalidValue(`${ap}.key`, `${name}/${key}`, msg));
    else errs.push(invalidValue(`${ap}.key`, key, 'requires metadata.name be non-empty'));
    const value = str(a.valueExpression).trim();
    if (value === '') errs.push(required(`${ap}.valueExpression`, 'valueExpression is not specified'));
    else if (value.length > MAX_VALUE_EXPRESSION) errs.push(required(`${ap}.valueExpression`, `must not exceed ${MAX_VALUE_EXPRESSION} bytes in length`));
    if (keys.has(key)) errs.push({ type: 'Duplicate', field: `${ap}.key`, value: key, detail: '' });
    keys.add(key);
  });
  return errs;
}

/** metav1validation.ValidateConditions over the status conditions. */
function validateConditions(conditions: Condition[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const cp = `${path}[${i}]`;
    const type = str(c.type);
    for (const msg of isQualifiedName(type)) errs.push(invalidValue(`${cp}.type`, type, msg));
    if (!CONDITION_STATUSES.includes(str(c.status))) errs.push(notSupported(`${cp}.status`, str(c.status), CONDITION_STATUSES));
    const gen = num(c.observedGeneration) ?? 0;
    if (gen < 0) errs.push(invalidValue(`${cp}.observedGeneration`, gen, 'must be greater than or equal to zero'));
    if (!c.lastTransitionTime) errs.push(required(`${cp}.lastTransitionTime`, 'must be set'));
    const reason = str(c.reason);
    if (reason === '') errs.push(required(`${cp}.reason`, 'must be set'));
    else {
      if (!CONDITION_REASON.test(reason)) {
        errs.push(
          invalidValue(
            `${cp}.reason`,
            reason,
            "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
          ),
        );
      }
      if (reason.length > 1024) errs.push({ type: 'TooLong', field: `${cp}.reason`, detail: 'may not be more than 1024 bytes' });
    }
    if (str(c.message).length > 32 * 1024) errs.push({ type: 'TooLong', field: `${cp}.message`, detail: `may not be more than ${32 * 1024} bytes` });
    if (seen.has(type)) errs.push({ type: 'Duplicate', field: `${cp}.type`, value: type, detail: '' });
    seen.add(type);
  });
  return errs;
}

function validateStatus(obj: ValidatingAdmissionPolicy): FieldError[] {
  const errs: FieldError[] = [];
  (obj.status?.typeChecking?.expressionWarnings ?? []).forEach((w, i) => {
    const wp = `status.typeChecking.expressionWarnings[${i}]`;
    if (str(w.warning) === '') errs.push(required(`${wp}.warning`));
    if (str(w.fieldRef).trim() === '') errs.push(required(`${wp}.fieldRef`));
  });
  return [...errs, ...validateConditions(obj.status?.conditions ?? [], 'status.conditions')];
}

const validatePolicy = (obj: ValidatingAdmissionPolicy): FieldError[] => validateSpec(str(obj.metadata?.name), obj.spec ?? {});

/** The ValidatingAdmissionPolicy resource. */
export const validatingAdmissionPolicies: ResourceDefinition<ValidatingAdmissionPolicy> = {
  ...declared('admissionregistration.k8s.io', 'validatingadmissionpolicies', {
    v1: { defaults: (obj) => defaults(obj as ValidatingAdmissionPolicy) },
    v1beta1: { defaults: (obj) => defaults(obj as ValidatingAdmissionPolicy) },
  }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaults(obj);
      delete obj.status;
    },
    prepareForUpdate: defaults,
    validate: validatePolicy,
    validateUpdate: validatePolicy,
  },
  statusStrategy: { validateUpdate: validateStatus },
  printerColumns: [
    { name: 'Validations', type: 'integer', description: 'Validations indicates the number of validation rules defined in this configuration', cell: (obj) => (obj.spec?.validations ?? []).length },
    {
      name: 'ParamKind',
      type: 'string',
      description: 'ParamKind specifies the kind of resources used to parameterize this policy',
      cell: (obj) => (obj.spec?.paramKind ? `${str(obj.spec.paramKind.apiVersion)}/${str(obj.spec.paramKind.kind)}` : '<unset>'),
    },
  ],
};
