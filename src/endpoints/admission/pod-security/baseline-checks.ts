/**
 * The baseline checks of upstream's PodSecurity policy (k8s.io/pod-security-admission/policy,
 * newest versions as of 1.33), each with upstream's id, forbidden reason and detail wording.
 */
import { type Check, type CheckFailure, type PodMetadata, type PodSpec, containerList, containersOf, joinQuote, pluralize, sortedSet } from './pod-shape.js';

/** `a and b` of who set a forbidden value: the pod, then the containers. */
function setters(pod: boolean, containers: string[]): string[] {
  const out = pod ? ['pod'] : [];
  if (containers.length) out.push(containerList(containers));
  return out;
}

function windowsHostProcess(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad = containersOf(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name ?? '');
  const who = setters(spec.securityContext?.windowsOptions?.hostProcess === true, bad);
  if (!who.length) return undefined;
  return { reason: 'hostProcess', detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` };
}

function hostNamespaces(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const set = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter((s): s is string => !!s);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
}

function privileged(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad = containersOf(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name ?? '');
  return bad.length ? { reason: 'privileged', detail: `${containerList(bad)} must not set securityContext.privileged=true` } : undefined;
}

const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

function capabilitiesBaseline(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of containersOf(spec)) {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !DEFAULT_CAPABILITIES.has(cap));
    if (extra.length) {
      bad.push(c.name ?? '');
      caps.push(...extra);
    }
  }
  if (!bad.length) return undefined;
  return { reason: 'non-default capabilities', detail: `${containerList(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` };
}

function hostPathVolumes(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name ?? '');
  return bad.length ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}` } : undefined;
}

function hostPorts(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? []).filter((p) => p.hostPort && p.hostPort !== 0).map((p) => String(p.hostPort));
    if (used.length) {
      bad.push(c.name ?? '');
      ports.push(...used);
    }
  }
  if (!bad.length) return undefined;
  const list = sortedSet(ports);
  return {
    reason: 'hostPort',
    detail: `${containerList(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
}

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function appArmorProfile(meta: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const allowedType = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const values: string[] = [];
  const podType = spec.securityContext?.appArmorProfile;
  const podBad = !!podType && !allowedType(podType.type);
  if (podBad) values.push(podType.type ?? '');
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.appArmorProfile;
    if (p && !allowedType(p.type)) {
      bad.push(c.name ?? '');
      values.push(p.type ?? '');
    }
  }
  const who = setters(podBad, bad);
  const valueList = sortedSet(values);
  const annotations = Object.entries(meta.annotations ?? {})
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')))
    .map(([k, v]) => `${k}=${goQuote(v)}`);
  if (annotations.length) {
    valueList.push(...sortedSet(annotations));
    who.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (!who.length) return undefined;
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', valueList.length),
    detail: `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(valueList)}`,
  };
}

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

function seLinuxOptions(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const types: string[] = [];
  let user = false;
  let role = false;
  const valid = (o: { type?: string; user?: string; role?: string }): boolean => {
    let ok = true;
    if (!SELINUX_TYPES.has(o.type ?? '')) {
      ok = false;
      types.push(o.type ?? '');
    }
    if (o.user) (ok = false), (user = true);
    if (o.role) (ok = false), (role = true);
    return ok;
  };
  const podOpts = spec.securityContext?.seLinuxOptions;
  const podBad = !!podOpts && !valid(podOpts);
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions))
    .map((c) => c.name ?? '');
  const who = setters(podBad, bad);
  if (!who.length) return undefined;
  const data: string[] = [];
  const typeList = sortedSet(types);
  if (typeList.length) data.push(`${pluralize('type', 'types', typeList.length)} ${joinQuote(typeList)}`);
  if (user) data.push('user may not be set');
  if (role) data.push('role may not be set');
  return { reason: 'seLinuxOptions', detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
}

function procMount(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containersOf(spec)) {
    const pm = c.securityContext?.procMount;
    if (pm !== undefined && pm !== 'Default') {
      bad.push(c.name ?? '');
      types.push(pm);
    }
  }
  if (!bad.length) return undefined;
  return { reason: 'procMount', detail: `${containerList(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}` };
}

/** Seccomp types allowed wherever a profile is set. */
export function validSeccomp(type: string | undefined): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function seccompProfileBaseline(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const values: string[] = [];
  const pod = spec.securityContext?.seccompProfile;
  const podBad = !!pod && !validSeccomp(pod.type);
  if (podBad) values.push(pod.type ?? '');
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p && !validSeccomp(p.type)) {
      bad.push(c.name ?? '');
      values.push(p.type ?? '');
    }
  }
  const who = setters(podBad, bad);
  if (!who.length) return undefined;
  return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
}

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

function sysctls(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name ?? '').filter((n) => !SAFE_SYSCTLS.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
}

export const BASELINE_CHECKS: readonly Check[] = [
  { id: 'appArmorProfile', level: 'baseline', check: appArmorProfile },
  { id: 'capabilities_baseline', level: 'baseline', check: capabilitiesBaseline },
  { id: 'hostNamespaces', level: 'baseline', check: hostNamespaces },
  { id: 'hostPathVolumes', level: 'baseline', check: hostPathVolumes },
  { id: 'hostPorts', level: 'baseline', check: hostPorts },
  { id: 'privileged', level: 'baseline', check: privileged },
  { id: 'procMount', level: 'baseline', check: procMount },
  { id: 'seLinuxOptions', level: 'baseline', check: seLinuxOptions },
  { id: 'seccompProfile_baseline', level: 'baseline', check: seccompProfileBaseline },
  { id: 'sysctls', level: 'baseline', check: sysctls },
  { id: 'windowsHostProcess', level: 'baseline', check: windowsHostProcess },
];
