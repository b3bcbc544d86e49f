/**
 * core/v1 Node: cluster-scoped, stored under `minions`. Status (including capacity) may
 * be set on create; allocatable defaults to capacity; providerID and podCIDRs are
 * write-once.
 */
import type { Node } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { asObject, str } from './fields.js';
import { declared } from '../rest/declared.js';
import { nodeProxy } from './proxy-locations.js';

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** Decode-time default: allocatable = capacity when unset. */
function defaultNode(obj: Node): void {
  const status = obj.status;
  if (status && status.allocatable === undefined && asObject(status.capacity)) status.allocatable = structuredClone(status.capacity);
}

function validateNode(obj: Node): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  (spec.taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    const key = str(t.key);
    for (const msg of isQualifiedName(key)) errs.push(invalidValue(`${p}.key`, key, msg));
    const value = str(t.value);
    if (value) for (const msg of isValidLabelValue(value)) errs.push(invalidValue(`${p}.value`, value, msg));
    if (!str(t.effect)) errs.push(required(`${p}.effect`, ''));
    else if (!TAINT_EFFECTS.includes(str(t.effect))) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateNodeUpdate(obj: Node, old: Node): FieldError[] {
  const errs = validateNode(obj);
  const spec = obj.spec ?? {};
  const oldSpec = old.spec ?? {};
  if (str(oldSpec.providerID) && spec.providerID !== oldSpec.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  const oldCidrs = Array.isArray(oldSpec.podCIDRs) ? oldSpec.podCIDRs : [];
  if (oldCidrs.length > 0 && !jsonEqual(spec.podCIDRs, oldSpec.podCIDRs)) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  return errs;
}

function isReady(obj: Node): string {
  const ready = (obj.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const status = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return obj.spec?.unschedulable === true ? `${status},SchedulingDisabled` : status;
}

/** The Node resource. */
export const nodes: ResourceDefinition<Node> = {
  ...declared('', 'nodes'),
  storagePath: 'minions',
  nameValidator: isDns1123Subdomain,
  proxy: nodeProxy,
  strategy: {
    prepareForCreate: defaultNode,
    prepareForUpdate: defaultNode,
    validate: validateNode,
    validateUpdate: validateNodeUpdate,
  },
  statusStrategy: {
    prepareForUpdate: defaultNode,
  },
  selectableFields: (obj) => ({ 'spec.unschedulable': String(obj.spec?.unschedulable === true) }),
  printerColumns: [
    { name: 'Status', type: 'string', description: 'The status of the node', cell: isReady },
    {
      name: 'Roles',
      type: 'string',
      description: 'The roles of the node',
      cell(obj) {
        const roles = Object.keys(obj.metadata?.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length))
          .filter(Boolean);
        return roles.length ? roles.sort().join(',') : '<none>';
      },
    },
    {
      name: 'Version',
      type: 'string',
      description: 'Kubelet version',
      cell: (obj) => str(obj.status?.nodeInfo?.kubeletVersion),
    },
  ],
};
