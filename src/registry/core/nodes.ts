/**
 * core/v1 Node: cluster-scoped, stored under `minions`. Status (including capacity) may
 * be set on create; allocatable defaults to capacity; providerID and podCIDRs are
 * write-once.
 */
import type { Node } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../../machinery/validation/names.js';
import { AGE_COLUMN_SLOT, type ResourceDefinition } from '../rest/definition.js';
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

/** Upstream's printNode STATUS: the Ready condition (its last occurrence), and SchedulingDisabled when cordoned. */
function nodeStatus(obj: Node): string {
  const ready = (obj.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  const status = [!ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (obj.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Upstream's findNodeRoles: `node-role.kubernetes.io/<role>` label names and `kubernetes.io/role` values, sorted and unique. */
function nodeRoles(obj: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_LABEL_PREFIX) && k.length > ROLE_LABEL_PREFIX.length) roles.add(k.slice(ROLE_LABEL_PREFIX.length));
    else if (k === ROLE_LABEL && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

/** The node's first address of a type, `<none>` without one. */
const addressOf = (obj: Node, type: string): string => str((obj.status?.addresses ?? []).find((a) => a.type === type)?.address) || '<none>';

const ADDRESSES_DESCRIPTION = 'List of addresses reachable to the node. Queried from cloud provider, if available.';

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
    { name: 'Status', type: 'string', description: 'The status of the node', cell: nodeStatus },
    { name: 'Roles', type: 'string', description: 'The roles of the node', cell: nodeRoles },
    AGE_COLUMN_SLOT,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', cell: (obj) => str(obj.status?.nodeInfo?.kubeletVersion) },
    { name: 'Internal-IP', type: 'string', priority: 1, description: ADDRESSES_DESCRIPTION, cell: (obj) => addressOf(obj, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: ADDRESSES_DESCRIPTION, cell: (obj) => addressOf(obj, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', cell: (obj) => str(obj.status?.nodeInfo?.osImage) || '<unknown>' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", cell: (obj) => str(obj.status?.nodeInfo?.kernelVersion) || '<unknown>' },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      cell: (obj) => str(obj.status?.nodeInfo?.containerRuntimeVersion) || '<unknown>',
    },
  ],
};
