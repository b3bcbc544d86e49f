/**
 * The endpoints a Service should have in EndpointSlices (upstream endpointslice reconciler's
 * podToEndpoint / getEndpointPorts): per selected pod with an IP of the address type, grouped by
 * the ports the pod resolves (pods resolving different target ports go to different slices).
 * Terminating pods are included with `terminating: true`; `serving` is the pod's readiness and
 * `ready` is serving and not terminating (or always, with publishNotReadyAddresses). A pod whose
 * node is unknown is skipped (the Service is synced again later) unless publishNotReadyAddresses.
 */
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import type { Endpoint, EndpointPort } from '../../../../gen/k8s/io/api/discovery/v1/generated.js';
import { findPort, isPodReady, podIPOfFamily, shouldPodBeInEndpoints, shouldSetHostname } from '../endpoints/pod-endpoints.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface EndpointGroup {
  ports: EndpointPort[];
  /** By the pod's uid (or address). */
  endpoints: Map<string, Endpoint>;
}

/** A comparable key of a port list. */
export function portsKey(ports: EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']));
}

export function endpointKey(e: Endpoint): string {
  return e.targetRef?.uid || e.addresses[0] || '';
}

export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol || 'TCP', appProtocol: sp.appProtocol });
  }
  return out;
}

export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, ip: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = (service.spec?.publishNotReadyAddresses ?? false) || (serving && !terminating);
  return {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    hostname: shouldSetHostname(pod, service) ? pod.spec?.hostname : undefined,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    deprecatedTopology: {},
    nodeName: pod.spec?.nodeName || undefined,
    zone: node?.metadata?.labels?.[ZONE_LABEL] || undefined,
    hints: undefined,
  };
}

export interface Desired {
  groups: Map<string, EndpointGroup>;
  /** Pods left out because their node is unknown. */
  skipped: string[];
}

export function desiredEndpoints(service: Service, pods: Pod[], family: 'IPv4' | 'IPv6', nodeByName: (name: string) => Node | undefined): Desired {
  const groups = new Map<string, EndpointGroup>();
  const skipped: string[] = [];
  const publishNotReady = service.spec?.publishNotReadyAddresses ?? false;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    const node = nodeByName(pod.spec?.nodeName ?? '');
    if (!node && !publishNotReady) {
      skipped.push(pod.metadata?.name ?? '');
      continue;
    }
    const ip = podIPOfFamily(pod, family);
    if (!ip) continue;
    const e = podToEndpoint(pod, node, service, ip);
    group.endpoints.set(endpointKey(e), e);
  }
  return { groups, skipped };
}
