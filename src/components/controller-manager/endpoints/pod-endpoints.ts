/**
 * What the endpoints and endpointslice controllers share about pods behind a Service
 * (upstream's endpointslice util and podutil): which pods count, their address of the service's
 * IP family, readiness, resolved target ports and hostnames.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Service, ServicePort } from '../../../../gen/k8s/io/api/core/v1/service.js';

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Whether the pod has finished (Succeeded or Failed). */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Upstream ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless `includeTerminating`. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The service's first IP family (IPv4 unless it says IPv6). */
export function serviceIPFamily(service: Service): 'IPv4' | 'IPv6' {
  const fam = service.spec?.ipFamilies?.[0];
  if (fam === 'IPv6') return 'IPv6';
  if (fam === 'IPv4') return 'IPv4';
  return (service.spec?.clusterIP ?? '').includes(':') ? 'IPv6' : 'IPv4';
}

/** The pod's IP of `family` (from status.podIPs, else status.podIP), or undefined. */
export function podIPOfFamily(pod: Pod, family: 'IPv4' | 'IPv6'): string | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip ?? ''), pod.status?.podIP ?? ''].filter((ip) => ip !== '');
  return ips.find((ip) => (family === 'IPv6') === ip.includes(':'));
}

/**
 * The container port a service port reaches on `pod` (upstream podutil.FindPort): a named
 * targetPort is looked up among the containers' ports by name and protocol; a number is itself
 * (an absent one is the service port). Undefined when the name is not found.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort;
  const protocol = sp.protocol || 'TCP';
  if (tp && (tp.type === 1 || (tp.type === undefined && tp.strVal !== undefined))) {
    const name = tp.strVal ?? '';
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) if (p.name === name && (p.protocol || 'TCP') === protocol) return p.containerPort;
    }
    return undefined;
  }
  return tp?.intVal || sp.port;
}

/** Upstream ShouldSetHostname: the pod names a hostname and this service as its subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === service.metadata?.name && pod.metadata?.namespace === service.metadata?.namespace;
}

/** Whether the Service selects pods (a non-empty selector) and is not ExternalName. */
export function servesPods(service: Service): boolean {
  return service.spec?.type !== 'ExternalName' && Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** Whether a Service's selector (non-empty) matches the labels. */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  const l = labels ?? {};
  return entries.every(([k, v]) => Object.hasOwn(l, k) && l[k] === v);
}

/** The Service that owns the apiserver's own endpoints, which the controllers leave alone. */
export function isKubernetesService(namespace: string, name: string): boolean {
  return namespace === 'default' && name === 'kubernetes';
}

/** `headless` services (clusterIP None) get the `service.kubernetes.io/headless` label on their endpoints. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}
