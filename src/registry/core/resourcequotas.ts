/**
 * core/v1 ResourceQuota: a namespace's caps (`spec.hard`), with what is used reported in
 * status through `/status`. Validated as upstream (non-negative quantities, known scopes).
 * Enforced by the ResourceQuota admission plugin (endpoints/admission/resource-quota.ts), its
 * status kept by the quota controller (server/resourcequota-controller.ts).
 */
import type { ResourceQuota } from '../../../gen/kube/core-v1.js';
import { type FieldError, goStringSlice, goValue, invalidValue, notSupported } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import { str } from './fields.js';
import { compareQuantities, resourceList } from './resource-lists.js';

const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];
const OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'];

function validateQuantities(list: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, q] of Object.entries(resourceList(list))) {
    if ((compareQuantities(q, '0') ?? 0) < 0) errs.push(invalidValue(`${path}[${k}]`, q, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateResourceQuota(obj: ResourceQuota): FieldError[] {
  const errs = validateQuantities(obj.spec?.hard, 'spec.hard');
  (obj.spec?.scopes ?? []).forEach((scope) => {
    if (!SCOPES.includes(str(scope))) errs.push(invalidValue('spec.scopes', goValue(goStringSlice('core.ResourceQuotaScope'), obj.spec?.scopes), 'unsupported scope'));
  });
  (obj.spec?.scopeSelector?.matchExpressions ?? []).forEach((req, i) => {
    const path = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!SCOPES.includes(str(req.scopeName))) errs.push(notSupported(`${path}.scopeName`, str(req.scopeName), SCOPES));
    if (!OPERATORS.includes(str(req.operator))) errs.push(notSupported(`${path}.operator`, str(req.operator), OPERATORS));
  });
  return errs;
}

/** `requests.cpu: 0/1, pods: 2/10`: used over hard for the keys of one kind, as upstream prints them. */
function usage(obj: ResourceQuota, limits: boolean): string {
  const hard = resourceList(obj.status?.hard);
  const used = resourceList(obj.status?.used);
  return Object.keys(hard)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${used[k] ?? '0'}/${hard[k]}`)
    .join(', ');
}

/** The ResourceQuota resource. */
export const resourceQuotas: ResourceDefinition<ResourceQuota> = {
  ...declared('', 'resourcequotas'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      delete obj.status;
    },
    validate: validateResourceQuota,
    validateUpdate: (obj) => validateResourceQuota(obj),
  },
  statusStrategy: {
    validateUpdate: (obj) => [...validateQuantities(obj.status?.hard, 'status.hard'), ...validateQuantities(obj.status?.used, 'status.used')],
  },
  printerColumns: [
    { name: 'Request', type: 'string', description: 'Requests and counts, used / hard', cell: (obj) => usage(obj, false) },
    { name: 'Limit', type: 'string', description: 'Limits, used / hard', cell: (obj) => usage(obj, true) },
  ],
};
