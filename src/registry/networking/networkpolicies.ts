/**
 * networking.k8s.io/v1 NetworkPolicy: ports default to TCP, policyTypes default from the
 * rules present, peers name exactly one kind of selector or an IP block.
 */
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../../../gen/kube/networking-v1.js';
import { type FieldError, forbidden, goStringSlice, goValue, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { isValidPortName, isValidPortNum } from '../../machinery/validation/ports.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import { formatLabelSelector } from '../core/workload.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { cidrProblems, parseCidr } from '../../machinery/validation/ip.js';

/** Decode-time defaults (networking/v1 SetDefaults_NetworkPolicyPort and _NetworkPolicy). */
function defaultNetworkPolicy(obj: NetworkPolicy): void {
  const spec = (obj.spec ??= {});
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule.ports ?? []) if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress'];
    if ((spec.egress ?? []).length > 0) spec.policyTypes.push('Egress');
  }
}

function validatePort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const proto = port.protocol;
  if (proto !== undefined && proto !== null && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') errs.push(notSupported(`${path}.protocol`, proto, ['TCP', 'UDP', 'SCTP']));
  const endPort = port.endPort;
  const hasEnd = endPort !== undefined && endPort !== null;
  if (port.port === undefined || port.port === null) {
    if (hasEnd) errs.push(invalidValue(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    for (const msg of isValidPortNum(port.port)) errs.push(invalidValue(`${path}.port`, port.port, msg));
    if (hasEnd) {
      if (endPort < port.port) errs.push(invalidValue(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      for (const msg of isValidPortNum(endPort)) errs.push(invalidValue(`${path}.endPort`, endPort, msg));
    }
  } else {
    if (hasEnd) errs.push(invalidValue(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    for (const msg of isValidPortName(port.port)) errs.push(invalidValue(`${path}.port`, port.port, msg));
  }
  return errs;
}

function validateIpBlock(block: IPBlock, path: string): FieldError[] {
  const cidr = str(block.cidr);
  if (!cidr) return [required(`${path}.cidr`)];
  const errs = cidrProblems(cidr).map((msg) => invalidValue(`${path}.cidr`, cidr, msg));
  const outer = parseCidr(cidr);
  if (!outer) return errs;
  (block.except ?? []).forEach((except, i) => {
    const p = `${path}.except[${i}]`;
    const problems = cidrProblems(except);
    for (const msg of problems) errs.push(invalidValue(p, except, msg));
    const inner = parseCidr(except);
    if (!inner) return;
    const inside = inner.family === outer.family && inner.prefix > outer.prefix && (inner.base >> BigInt(inner.bits - outer.prefix)) === (outer.base >> BigInt(outer.bits - outer.prefix));
    if (!inside) errs.push(invalidValue(p, except, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  if (peer.podSelector) {
    count++;
    errs.push(...validateLabelSelector(peer.podSelector as never, `${path}.podSelector`));
  }
  if (peer.namespaceSelector) {
    count++;
    errs.push(...validateLabelSelector(peer.namespaceSelector as never, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    count++;
    errs.push(...validateIpBlock(peer.ipBlock, `${path}.ipBlock`));
  }
  if (count === 0) errs.push(required(path, 'must specify a peer'));
  else if (count > 1 && peer.ipBlock) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicy(obj: NetworkPolicy): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = validateLabelSelector((spec.podSelector ?? {}) as never, 'spec.podSelector');
  (spec.ingress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, `spec.ingress[${i}].ports[${j}]`)));
    (rule.from ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, `spec.ingress[${i}].from[${j}]`)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, `spec.egress[${i}].ports[${j}]`)));
    (rule.to ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, `spec.egress[${i}].to[${j}]`)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) return [...errs, invalidValue('spec.policyTypes', goValue(goStringSlice('networking.PolicyType'), types), 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}



/** The NetworkPolicy resource. */
export const networkPolicies: ResourceDefinition<NetworkPolicy> = {
  ...declared('networking.k8s.io', 'networkpolicies', { v1: { defaults: (obj) => defaultNetworkPolicy(obj as NetworkPolicy) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaultNetworkPolicy,
    prepareForUpdate: defaultNetworkPolicy,
    validate: validateNetworkPolicy,
    validateUpdate: (obj) => validateNetworkPolicy(obj),
  },
  printerColumns: [
    { name: 'Pod-Selector', type: 'string', description: 'Selects the pods to which this NetworkPolicy object applies.', cell: (obj) => formatLabelSelector(obj.spec?.podSelector) },
  ],
};
