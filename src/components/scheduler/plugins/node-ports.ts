/** NodePorts: a pod's host ports must be free on the node (same protocol and port, overlapping host IP). */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { unschedulable, type FilterPlugin } from '../framework.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** The host ports a pod's containers (and init containers) ask for. */
export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

function conflicts(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === '0.0.0.0' || b.ip === '0.0.0.0' || a.ip === b.ip;
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter(state) {
    return hostPortsOf(state.pod);
  },
  filter(_state, node, pre) {
    const wanted = pre as HostPort[];
    if (wanted.length === 0) return undefined;
    for (const existing of node.pods.values()) {
      for (const used of hostPortsOf(existing.pod)) {
        if (wanted.some((w) => conflicts(w, used))) return unschedulable('NodePorts', ERR_REASON_PORTS);
      }
    }
    return undefined;
  },
};
