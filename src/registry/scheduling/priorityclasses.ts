/**
 * scheduling.k8s.io/v1 PriorityClass: a named pod priority. User classes stay at or below
 * one billion; the `system-` prefix belongs to the two classes every cluster has, which
 * the server creates at start. Value and preemptionPolicy never change.
 */
import type { PriorityClass } from '../../../gen/kube/scheduling-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import { AGE_COLUMN_SLOT, type ResourceDefinition } from '../rest/definition.js';

const SYSTEM_PREFIX = 'system-';
const HIGHEST_USER_PRIORITY = 1_000_000_000;
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

/** The PriorityClasses kube-apiserver creates at start, as it defines them. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    metadata: { name: 'system-node-critical' },
    value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    metadata: { name: 'system-cluster-critical' },
    value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** Why a `system-` class is not one of the known ones, or undefined when it is. */
function systemClassProblem(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata?.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function defaultPriorityClass(obj: PriorityClass): void {
  if (obj.preemptionPolicy === undefined || obj.preemptionPolicy === null) obj.preemptionPolicy = 'PreemptLowerPriority';
}

function validatePriorityClass(obj: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(obj.metadata?.name);
  const value = num(obj.value) ?? 0;
  if (name.startsWith(SYSTEM_PREFIX)) {
    const problem = systemClassProblem(name, value, obj.globalDefault === true);
    if (problem) errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${problem}`));
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (obj.preemptionPolicy !== undefined && obj.preemptionPolicy !== null && !PREEMPTION_POLICIES.includes(obj.preemptionPolicy)) {
    errs.push(notSupported('preemptionPolicy', obj.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

function validatePriorityClassUpdate(obj: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((num(obj.value) ?? 0) !== (num(old.value) ?? 0)) errs.push(forbidden('value', 'may not be changed in an update.'));
  if (!jsonEqual(obj.preemptionPolicy ?? null, old.preemptionPolicy ?? null)) errs.push(invalidValue('preemptionPolicy', obj.preemptionPolicy ?? null, 'field is immutable'));
  return errs;
}

/** The PriorityClass resource. */
export const priorityClasses: ResourceDefinition<PriorityClass> = {
  ...declared('scheduling.k8s.io', 'priorityclasses', { v1: { defaults: (obj) => defaultPriorityClass(obj as PriorityClass) } }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate: defaultPriorityClass,
    prepareForUpdate: defaultPriorityClass,
    validate: validatePriorityClass,
    validateUpdate: validatePriorityClassUpdate,
  },
  printerColumns: [
    { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class.', cell: (obj) => num(obj.value) ?? 0 },
    { name: 'Global-Default', type: 'boolean', description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', cell: (obj) => obj.globalDefault === true },
    AGE_COLUMN_SLOT,
    { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority.', cell: (obj) => str(obj.preemptionPolicy) },
  ],
};
