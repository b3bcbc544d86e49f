/**
 * The Endpoints subsets for a Service (upstream endpoints controller): one address per selected
 * pod with an IP of the service's family — ready ones (or all, with publishNotReadyAddresses)
 * under `addresses`, the others under `notReadyAddresses` — for each service port its target port
 * resolved on that pod (a pod lacking a named port is left out of that port), then repacked so
 * addresses offering the same ports share a subset, sorted.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { findPort, isHeadless, isPodReady, podIPOfFamily, serviceIPFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoints.js';

interface Member {
  address: EndpointAddress;
  ready: boolean;
  port: EndpointPort | undefined;
}

function addressOf(pod: Pod, service: Service, ip: string): EndpointAddress {
  const address: EndpointAddress = {
    ip,
    hostname: shouldSetHostname(pod, service) ? pod.spec?.hostname : undefined,
    nodeName: pod.spec?.nodeName || undefined,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  return address;
}

/** The desired subsets, and how many ready and not-ready addresses they hold. */
export function desiredSubsets(service: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = service.spec?.publishNotReadyAddresses ?? false;
  const family = serviceIPFamily(service);
  const members: Member[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPOfFamily(pod, family);
    if (!ip) continue;
    const address = addressOf(pod, service, ip);
    const ready = tolerateUnready || isPodReady(pod);
    const ports = service.spec?.ports ?? [];
    if (ports.length === 0) {
      if (isHeadless(service)) members.push({ address, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      members.push({ address, ready, port: { name: sp.name ?? '', port, protocol: sp.protocol || 'TCP', appProtocol: sp.appProtocol } });
    }
  }
  return repack(members);
}

const addressKey = (a: EndpointAddress): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);

function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every((n) => !Number.isNaN(n)) && pb.every((n) => !Number.isNaN(n))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAddress(a: EndpointAddress, b: EndpointAddress): number {
  const c = compareIP(a.ip ?? '', b.ip ?? '');
  if (c !== 0) return c;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function comparePort(a: EndpointPort, b: EndpointPort): number {
  const na = a.name ?? '';
  const nb = b.name ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  return (a.port ?? 0) - (b.port ?? 0);
}

/**
 * Upstream RepackSubsets: maps each port to the addresses offering it (an address both ready and
 * not counts as ready), groups the ports by identical address sets, and builds one subset per
 * group; addresses sorted by IP then uid, ports by name then number, subsets by their first address.
 */
export function repack(members: Member[]): EndpointSubset[] {
  const portsByKey = new Map<string, EndpointPort | undefined>();
  const addrsByPort = new Map<string, Map<string, { address: EndpointAddress; ready: boolean }>>();
  for (const m of members) {
    const pk = m.port ? portKey(m.port) : '';
    portsByKey.set(pk, m.port);
    let addrs = addrsByPort.get(pk);
    if (!addrs) addrsByPort.set(pk, (addrs = new Map()));
    const ak = addressKey(m.address);
    const prior = addrs.get(ak);
    addrs.set(ak, { address: m.address, ready: (prior?.ready ?? false) || m.ready });
  }
  const groups = new Map<string, { addrs: { address: EndpointAddress; ready: boolean }[]; ports: EndpointPort[] }>();
  for (const [pk, addrs] of addrsByPort) {
    const list = [...addrs.values()];
    const gk = JSON.stringify(list.map((a) => [addressKey(a.address), a.ready]).sort());
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { addrs: list, ports: [] }));
    const port = portsByKey.get(pk);
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    subsets.push({
      addresses: g.addrs.filter((a) => a.ready).map((a) => a.address).sort(compareAddress),
      notReadyAddresses: g.addrs.filter((a) => !a.ready).map((a) => a.address).sort(compareAddress),
      ports: g.ports.sort(comparePort),
    });
  }
  const first = (s: EndpointSubset): EndpointAddress | undefined => s.addresses[0] ?? s.notReadyAddresses[0];
  return subsets.sort((a, b) => compareAddress(first(a) ?? {}, first(b) ?? {}) || comparePort(a.ports[0] ?? {}, b.ports[0] ?? {}));
}
