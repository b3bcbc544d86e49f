/**
 * policy/v1 PodDisruptionBudget: minAvailable or maxUnavailable (not both), each a
 * non-negative integer or a percentage of at most 100%, a valid selector, a known
 * unhealthy-pod eviction policy; status counts never negative. Spec changes bump the
 * generation; status is written through `/status`.
 */
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../../gen/kube/policy-v1.js';
import { type FieldError, intOrStringValue, invalidValue, notSupported } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { validateIntOrPercent } from '../apps/deployments.js';
import { validateStatusCounts } from '../apps/replicated.js';
import { num } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const PERCENT_RE = /^[0-9]+%$/;

function validateAmount(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  const errs = validateIntOrPercent(value, path);
  if (typeof value === 'string' && PERCENT_RE.test(value) && Number(value.slice(0, -1)) > 100) {
    errs.push(invalidValue(path, intOrStringValue(value), 'must not be greater than 100%'));
  }
  return errs;
}

function validatePdb(obj: PodDisruptionBudget): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  errs.push(...validateAmount(spec.minAvailable, 'spec.minAvailable'), ...validateAmount(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (has(policy) && !EVICTION_POLICIES.includes(policy as string)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION_POLICIES));
  return errs;
}

const STATUS_COUNTS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const satisfies readonly (keyof PodDisruptionBudgetStatus)[];

const amount = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));

/** The PodDisruptionBudget resource. */
export const podDisruptionBudgets: ResourceDefinition<PodDisruptionBudget> = {
  ...declared('policy', 'poddisruptionbudgets'),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      obj.status = {};
    },
    validate: validatePdb,
    validateUpdate: validatePdb,
  },
  statusStrategy: {
    validateUpdate: (obj) => validateStatusCounts(obj.status, STATUS_COUNTS),
  },
  printerColumns: [
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available simultaneously. This can be either an integer or a string specifying a percentage, e.g. "28%".', cell: (obj) => amount(obj.spec?.minAvailable) },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable simultaneously. This can be either an integer or a string specifying a percentage, e.g. "28%".', cell: (obj) => amount(obj.spec?.maxUnavailable) },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculates the number of disruptions allowed.', cell: (obj) => num(obj.status?.disruptionsAllowed) ?? 0 },
  ],
};
