/**
 * networking.k8s.io/v1 Ingress: rules or a default backend, every HTTP path with a
 * `pathType` (no default) and exactly one backend, hosts that are DNS names, and a
 * `/status` whose load-balancer entries carry IPs or DNS names.
 */
import type { HTTPIngressPath, Ingress, IngressBackend, IngressLoadBalancerIngress } from '../../../gen/kube/networking-v1.js';
import { type FieldError, type GoType, goValue, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';

/** The type upstream's Ingress validation holds the rules in (only ever printed empty or nil). */
const INGRESS_RULES: GoType = { kind: 'slice', name: '[]networking.IngressRule', elem: { kind: 'struct', name: 'networking.IngressRule', fields: [] } };
import { isValidIp } from '../../machinery/validation/ip.js';
import { isDns1035Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { isValidPortName, isValidPortNum } from '../../machinery/validation/ports.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateTypedReference } from './refs.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

const looksLikeIp = (s: string): boolean => isValidIp(s).length === 0;

/** A DNS host name, or one with a leading `*.` label. */
function hostProblems(host: string): string[] {
  if (!host.includes('*')) return isDns1123Subdomain(host);
  const rest = host.startsWith('*.') ? host.slice(2) : '';
  if (rest === '' || rest.includes('*') || isDns1123Subdomain(rest).length > 0) {
    return [
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ];
  }
  return [];
}

function validateBackend(backend: IngressBackend, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const service = backend.service;
  if (backend.resource && service) return [invalidValue(path, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateTypedReference(backend.resource, `${path}.resource`);
  if (!service) return [invalidValue(path, '', 'resource or service backend is required')];
  const name = str(service.name);
  if (!name) errs.push(required(`${path}.service.name`));
  else for (const msg of isDns1035Label(name)) errs.push(invalidValue(`${path}.service.name`, name, msg));
  const portName = str(service.port?.name);
  const portNumber = Number(service.port?.number ?? 0);
  if (portName && portNumber !== 0) errs.push(invalidValue(path, '', 'cannot set both port name & port number'));
  else if (portName) for (const msg of isValidPortName(portName)) errs.push(invalidValue(`${path}.service.port.name`, portName, msg));
  else if (portNumber !== 0) for (const msg of isValidPortNum(portNumber)) errs.push(invalidValue(`${path}.service.port.number`, portNumber, msg));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = str(p.path);
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalidValue(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of BAD_SEQUENCES) if (value.includes(seq)) errs.push(invalidValue(`${path}.path`, value, `must not contain '${seq}'`));
    for (const suffix of BAD_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalidValue(`${path}.path`, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalidValue(`${path}.path`, value, 'must be an absolute path'));
  } else {
    errs.push(notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend ?? {}, `${path}.backend`));
  return errs;
}

function validateIngress(obj: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push(invalidValue('spec', goValue(INGRESS_RULES, spec.rules), 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const host = str(rule.host);
    if (host) {
      if (looksLikeIp(host)) errs.push(invalidValue(`spec.rules[${i}].host`, host, 'must be a DNS name, not an IP address'));
      for (const msg of hostProblems(host)) errs.push(invalidValue(`spec.rules[${i}].host`, host, msg));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(`spec.rules[${i}].http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(p, `spec.rules[${i}].http.paths[${j}]`)));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      for (const msg of hostProblems(host)) errs.push(invalidValue(`spec.tls[${i}].hosts[${j}]`, host, msg));
    });
    const secret = str(tls.secretName);
    if (secret) for (const msg of isDns1123Subdomain(secret)) errs.push(invalidValue(`spec.tls[${i}].secretName`, secret, msg));
  });
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    for (const msg of isDns1123Subdomain(spec.ingressClassName)) errs.push(invalidValue('spec.ingressClassName', spec.ingressClassName, msg));
  }
  return errs;
}

function validateCreate(obj: Ingress): FieldError[] {
  const errs = validateIngress(obj);
  const annotation = obj.metadata?.annotations?.['kubernetes.io/ingress.class'];
  const className = obj.spec?.ingressClassName;
  if (annotation !== undefined && className !== undefined && className !== null && annotation !== className) {
    errs.push(invalidValue('annotations.kubernetes.io/ingress.class', annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

function validateStatus(obj: Ingress, old: Ingress): FieldError[] {
  const errs: FieldError[] = [];
  const known = new Set((old.status?.loadBalancer?.ingress ?? []).map((i) => str(i.ip)).filter((ip) => ip));
  (obj.status?.loadBalancer?.ingress ?? []).forEach((entry: IngressLoadBalancerIngress, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    const ip = str(entry.ip);
    if (ip && !known.has(ip)) for (const msg of isValidIp(ip)) errs.push(invalidValue(`${p}.ip`, ip, msg));
    const hostname = str(entry.hostname);
    if (hostname) {
      for (const msg of isDns1123Subdomain(hostname)) errs.push(invalidValue(`${p}.hostname`, hostname, msg));
      if (looksLikeIp(hostname)) errs.push(invalidValue(`${p}.hostname`, hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** Upstream's formatHosts: the first three hosts; "+ N more..." counts every further rule, with a host or not. */
function hosts(obj: Ingress): string {
  const rules = obj.spec?.rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === 3) more = true;
    if (!more && str(rule.host)) list.push(str(rule.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
}

/**
 * Upstream's Address column: the load balancer's IPs and host names, sorted and unique
 * (server-side tables print wide, so the list is never clipped).
 */
function address(obj: Ingress): string {
  const list = new Set<string>();
  for (const entry of obj.status?.loadBalancer?.ingress ?? []) {
    if (str(entry.ip)) list.add(str(entry.ip));
    else if (str(entry.hostname)) list.add(str(entry.hostname));
  }
  return [...list].sort().join(',');
}

/** The Ingress resource. */
export const ingresses: ResourceDefinition<Ingress> = {
  ...declared('networking.k8s.io', 'ingresses'),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      obj.status = {};
    },
    validate: validateCreate,
    validateUpdate: (obj) => validateIngress(obj),
  },
  statusStrategy: { validateUpdate: validateStatus },
  printerColumns: [
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for ingress.', cell: (obj) => str(obj.spec?.ingressClassName) || '<none>' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: hosts },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer', cell: address },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open', cell: (obj) => ((obj.spec?.tls ?? []).length > 0 ? '80, 443' : '80') },
  ],
};
