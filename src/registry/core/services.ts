/**
 * core/v1 Service: defaults as upstream, allocated values carried over on update and the
 * cluster IP immutable once set. Cluster IPs and node ports are filled in and reserved by
 * the Service allocator (service-allocator.ts) after validation, atomically with the write.
 */
import type { Service, ServiceSpec } from '../../../gen/kube/core-v1.js';
import { type FieldError, GO_SERVICE_PORT, goValue, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabels } from '../../machinery/validation/label-selector.js';
import { isValidIp } from '../../machinery/validation/ip.js';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { isValidPortName, isValidPortNum } from '../../machinery/validation/ports.js';
import { formatLabels } from './workload.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, setDefault, str } from './fields.js';
import { declared } from '../rest/declared.js';
import { serviceAllocator } from './service-allocator.js';
import { serviceProxy } from './proxy-locations.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

/** Whether a service of this spec gets a cluster IP (everything but ExternalName). */
function needsClusterIp(s: ServiceSpec): boolean {
  return s.type !== 'ExternalName';
}

function usesNodePorts(s: ServiceSpec): boolean {
  return s.type === 'NodePort' || s.type === 'LoadBalancer';
}

/** Decode-time defaults (SetDefaults_Service). */
function defaultService(obj: Service): void {
  const s = child(obj, 'spec');
  setDefault(s, 'type', 'ClusterIP');
  setDefault(s, 'sessionAffinity', 'None');
  if (s.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(s, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  for (const port of s.ports ?? []) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  if (usesNodePorts(s)) setDefault(s, 'externalTrafficPolicy', 'Cluster');
  if (needsClusterIp(s)) setDefault(s, 'internalTrafficPolicy', 'Cluster');
  if (s.type === 'LoadBalancer') setDefault(s, 'allocateLoadBalancerNodePorts', true);
  // clusterIP and clusterIPs[0] mirror each other.
  const ips: unknown[] = Array.isArray(s.clusterIPs) ? s.clusterIPs : [];
  if (!str(s.clusterIP) && typeof ips[0] === 'string') s.clusterIP = ips[0];
  if (s.clusterIP && ips.length === 0) s.clusterIPs = [s.clusterIP];
}

/** IP families and policy of a service that has a cluster IP (single-stack IPv4 here). */
function defaultIpFamilies(s: ServiceSpec): void {
  if (!needsClusterIp(s)) return;
  setDefault(s, 'ipFamilies', ['IPv4']);
  setDefault(s, 'ipFamilyPolicy', 'SingleStack');
}

function prepareServiceForCreate(obj: Service): void {
  defaultService(obj);
  const s = child(obj, 'spec');
  if (needsClusterIp(s)) defaultIpFamilies(s);
  obj.status = { loadBalancer: {} };
}

/** Carries allocated values (cluster IPs, node ports, families) over from the stored service. */
function prepareServiceForUpdate(obj: Service, old: Service): void {
  defaultService(obj);
  const s = child(obj, 'spec');
  const o = old.spec ?? {};
  if (needsClusterIp(s)) {
    if (needsClusterIp(o) && !str(s.clusterIP)) {
      if (o.clusterIP !== undefined) s.clusterIP = o.clusterIP;
      if (o.clusterIPs !== undefined) s.clusterIPs = structuredClone(o.clusterIPs);
    }
    if (s.ipFamilies === undefined && o.ipFamilies !== undefined) s.ipFamilies = structuredClone(o.ipFamilies);
    if (s.ipFamilyPolicy === undefined && o.ipFamilyPolicy !== undefined) s.ipFamilyPolicy = o.ipFamilyPolicy;
    defaultIpFamilies(s);
  } else if (needsClusterIp(o)) {
    // Turning into ExternalName releases the allocated address.
    if (s.clusterIP === o.clusterIP) delete s.clusterIP;
    if (JSON.stringify(s.clusterIPs) === JSON.stringify(o.clusterIPs)) delete s.clusterIPs;
    if (JSON.stringify(s.ipFamilies) === JSON.stringify(o.ipFamilies)) delete s.ipFamilies;
    if (s.ipFamilyPolicy === o.ipFamilyPolicy) delete s.ipFamilyPolicy;
  }
  dropTypeDependentFields(s, o);
  if (usesNodePorts(s) && usesNodePorts(o)) {
    const oldPorts = o.ports ?? [];
    for (const port of s.ports ?? []) {
      if (port.nodePort !== undefined && port.nodePort !== 0) continue;
      const match = oldPorts.find((p) => p.port === port.port && p.protocol === port.protocol) ?? oldPorts.find((p) => p.name !== undefined && p.name === port.name);
      if (match?.nodePort !== undefined) port.nodePort = match.nodePort;
    }
  }
}

/**
 * When the type changes away from NodePort/LoadBalancer, fields that only made sense for
 * the old type are dropped if the client left them as they were (as upstream does).
 */
function dropTypeDependentFields(s: ServiceSpec, o: ServiceSpec): void {
  if (!usesNodePorts(s) && usesNodePorts(o)) {
    const oldPorts = o.ports ?? [];
    for (const port of s.ports ?? []) {
      if (port.nodePort !== undefined && oldPorts.some((p) => p.nodePort === port.nodePort)) delete port.nodePort;
    }
    if (s.externalTrafficPolicy === o.externalTrafficPolicy) delete s.externalTrafficPolicy;
    if (s.healthCheckNodePort === o.healthCheckNodePort) delete s.healthCheckNodePort;
  }
  if (s.type !== 'LoadBalancer' && o.type === 'LoadBalancer') {
    if (s.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete s.allocateLoadBalancerNodePorts;
    if (s.loadBalancerClass === o.loadBalancerClass) delete s.loadBalancerClass;
  }
}

function validateService(obj: Service): FieldError[] {
  const errs: FieldError[] = [];
  const s = obj.spec ?? {};
  const type = s.type;
  if (!TYPES.includes(String(type))) errs.push(notSupported('spec.type', type ?? '', TYPES));
  const affinity = s.sessionAffinity;
  if (affinity !== 'None' && affinity !== 'ClientIP') errs.push(notSupported('spec.sessionAffinity', affinity ?? '', ['ClientIP', 'None']));
  const headless = s.clusterIP === 'None';
  const ports = s.ports ?? [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports', ''));
  if (type === 'ExternalName') {
    const name = str(s.externalName).replace(/\.$/, '');
    if (!name) errs.push(required('spec.externalName', ''));
    else for (const msg of isDns1123Subdomain(name)) errs.push(invalidValue('spec.externalName', s.externalName, msg));
  }
  if (needsClusterIp(s)) {
    const ips: unknown[] = Array.isArray(s.clusterIPs) ? s.clusterIPs : [];
    if (str(s.clusterIP) && ips[0] !== s.clusterIP) {
      errs.push(invalidValue('spec.clusterIPs', ips, 'must be empty or the first value must match spec.clusterIP'));
    }
    ips.forEach((ip, i) => {
      const text = str(ip);
      if (text === 'None' && i === 0) return;
      for (const msg of isValidIp(text)) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, msg));
    });
    const policy = s.ipFamilyPolicy;
    if (policy !== undefined && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(String(policy))) {
      errs.push(notSupported('spec.ipFamilyPolicy', policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
    }
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`;
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(required(`${p}.name`, ''));
    if (name) {
      for (const msg of isDns1123Label(name)) errs.push(invalidValue(`${p}.name`, name, msg));
      if (names.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
      names.add(name);
    }
    for (const msg of isValidPortNum(Number(port.port))) errs.push(invalidValue(`${p}.port`, port.port ?? 0, msg));
    const proto = port.protocol;
    if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') errs.push(notSupported(`${p}.protocol`, proto ?? '', ['SCTP', 'TCP', 'UDP']));
    const target = port.targetPort;
    if (typeof target === 'string') {
      for (const msg of isValidPortName(target)) errs.push(invalidValue(`${p}.targetPort`, target, msg));
    } else if (target !== undefined) {
      for (const msg of isValidPortNum(Number(target))) errs.push(invalidValue(`${p}.targetPort`, target, msg));
    }
    const nodePort = port.nodePort;
    if (nodePort !== undefined && nodePort !== 0) {
      if (!usesNodePorts(s)) errs.push({ type: 'Forbidden', field: `${p}.nodePort`, detail: 'may not be used when `type` is \'ClusterIP\'' });
      else for (const msg of isValidPortNum(Number(nodePort))) errs.push(invalidValue(`${p}.nodePort`, nodePort, msg));
    }
  });
  errs.push(...validateLabels(s.selector ?? {}, 'spec.selector'));
  // (protocol, nodePort) pairs, then (protocol, port) pairs, are unique, as upstream checks them.
  const duplicates = (keyOf: (p: (typeof ports)[number]) => Record<string, unknown> | undefined): void => {
    const seen = new Set<string>();
    ports.forEach((port, i) => {
      const key = keyOf(port);
      if (!key) return;
      const text = JSON.stringify(key);
      if (seen.has(text)) errs.push({ type: 'Duplicate', field: `spec.ports[${i}]`, value: goValue(GO_SERVICE_PORT, key), detail: '' });
      seen.add(text);
    });
  };
  duplicates((p) => (p.nodePort ? { protocol: p.protocol, nodePort: p.nodePort } : undefined));
  duplicates((p) => ({ protocol: p.protocol, port: p.port }));
  return errs;
}

function validateServiceUpdate(obj: Service, old: Service): FieldError[] {
  const errs = validateService(obj);
  const s = obj.spec ?? {};
  const o = old.spec ?? {};
  if (needsClusterIp(s) && needsClusterIp(o) && str(o.clusterIP) && s.clusterIP !== o.clusterIP) {
    errs.push(invalidValue('spec.clusterIPs[0]', s.clusterIPs ?? [], 'may not change once set'));
  }
  return errs;
}

/** Upstream's getServiceExternalIP: external IPs, and for load balancers their ingress points (sorted, unique) first. */
function externalIPCell(obj: Service): string {
  const spec = obj.spec ?? {};
  const external = (spec.externalIPs ?? []).map(str);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const points = [...new Set((obj.status?.loadBalancer?.ingress ?? []).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean))].sort();
      if (external.length > 0) return [...points, ...external].join(',');
      return points.length > 0 ? points.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function portsCell(obj: Service): string {
  const ports = obj.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${str(p.protocol) || 'TCP'}`).join(',');
}

/** The Service resource. */
export const services: ResourceDefinition<Service> = {
  ...declared('', 'services'),
  allowCreateOnUpdate: true,
  storagePath: 'services/specs',
  nameValidator: isDns1035Label,
  returnDeletedObject: true,
  allocator: serviceAllocator,
  proxy: serviceProxy,
  strategy: {
    prepareForCreate: prepareServiceForCreate,
    prepareForUpdate: prepareServiceForUpdate,
    validate: (obj) => validateService(obj),
    validateUpdate: validateServiceUpdate,
  },
  statusStrategy: {
    validateUpdate(obj) {
      const errs: FieldError[] = [];
      (obj.status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
        const ip = str(ing.ip);
        if (ip) for (const msg of isValidIp(ip)) errs.push(invalidValue(`status.loadBalancer.ingress[${i}].ip`, ip, msg));
      });
      return errs;
    },
  },
  selectableFields: (obj) => ({ 'spec.clusterIP': str(obj.spec?.clusterIP), 'spec.type': str(obj.spec?.type) }),
  printerColumns: [
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.', cell: (obj) => str(obj.spec?.type) },
    { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service and is usually assigned randomly.', cell: (obj) => str(obj.spec?.clusterIPs?.[0]) || '<none>' },
    { name: 'External-IP', type: 'string', description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', cell: externalIPCell },
    { name: 'Port(s)', type: 'string', description: 'The list of ports that are exposed by this service.', cell: portsCell },
    { name: 'Selector', type: 'string', priority: 1, description: 'Route service traffic to pods with label keys and values matching this selector.', cell: (obj) => formatLabels(obj.spec?.selector) },
  ],
};
