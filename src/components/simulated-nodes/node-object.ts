/**
 * The Node a simulated node registers, as a kubelet would: the well-known labels, a marker
 * label (`wheelhouse.dev/simulated-node: "true"`, as kwok's `type: kwok`) that nodeSelectors
 * and tolerations can tell these nodes by, capacity and allocatable, the kubelet's four
 * health conditions, an InternalIP and Hostname address, the kubelet's port and nodeInfo.
 */
import { randomUUID } from 'node:crypto';
import type { Node, NodeCondition, NodeStatus } from '../../../gen/k8s/io/api/core/v1/node.js';
import { Node as NodeFns } from '../../../gen/k8s/io/api/core/v1/node.js';
import { toTime } from '../../client/index.js';
import { nodeInternalIP, nodePodCIDR } from './addresses.js';
import type { ResolvedSimulatedNodesOptions } from './options.js';

/** The label every simulated node carries. */
export const SIMULATED_NODE_LABEL = 'wheelhouse.dev/simulated-node';

/** The kubelet version simulated nodes report. */
export const SIMULATED_KUBELET_VERSION = 'v1.33.0';

/** The container runtime simulated nodes report. */
export const SIMULATED_RUNTIME_VERSION = 'containerd://1.7.24';

/** The kubelet's port, as daemonEndpoints reports it. */
export const KUBELET_PORT = 10250;

/** The four conditions a healthy kubelet posts, in its order, with its reasons and messages. */
const HEALTHY_CONDITIONS: ReadonlyArray<Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The conditions a healthy kubelet posts at `now`: each one's lastTransitionTime is kept from
 * `previous` when its status did not change there, else `now`; every lastHeartbeatTime is `now`.
 * Conditions of other types in `previous` (NetworkUnavailable, a node problem detector's) stay.
 */
export function healthyConditions(previous: readonly NodeCondition[], now: Date): NodeCondition[] {
  const at = toTime(now);
  const mine = HEALTHY_CONDITIONS.map((c) => {
    const old = previous.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : at;
    return { ...c, lastHeartbeatTime: at, lastTransitionTime };
  });
  const others = previous.filter((p) => !HEALTHY_CONDITIONS.some((c) => c.type === p.type));
  return [...mine, ...others];
}

/** Whether `conditions` already say what a healthy kubelet says (heartbeat times aside). */
export function conditionsHealthy(conditions: readonly NodeCondition[]): boolean {
  return HEALTHY_CONDITIONS.every((c) => {
    const got = conditions.find((p) => p.type === c.type);
    return got !== undefined && got.status === c.status && got.reason === c.reason && got.message === c.message;
  });
}

/** What one simulated node is: its name, index in the address plan, and boot identity. */
export interface NodeIdentity {
  name: string;
  index: number;
  internalIP: string;
  podCIDR: string;
  bootID: string;
}

/** The identity of node `index` of the run. */
export function nodeIdentity(options: ResolvedSimulatedNodesOptions, index: number): NodeIdentity {
  return { name: `${options.namePrefix}${index}`, index, internalIP: nodeInternalIP(index), podCIDR: nodePodCIDR(index), bootID: randomUUID() };
}

/** The status the node posts at `now`, on top of what the stored Node had. */
export function nodeStatus(id: NodeIdentity, options: ResolvedSimulatedNodesOptions, previous: NodeStatus | undefined, now: Date): NodeStatus {
  const { cpu, memory, pods } = options.capacity;
  const resources = { cpu: { string: cpu }, memory: { string: memory }, pods: { string: pods }, 'ephemeral-storage': { string: '100Gi' } };
  return {
    ...(previous ?? { images: [], volumesInUse: [], volumesAttached: [], runtimeHandlers: [], declaredFeatures: [] }),
    capacity: resources,
    allocatable: structuredClone(resources),
    conditions: healthyConditions(previous?.conditions ?? [], now),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: machineID(id.name),
      systemUUID: machineID(id.name),
      bootID: id.bootID,
      kernelVersion: '6.1.0-simulated',
      osImage: 'Wheelhouse simulated node',
      containerRuntimeVersion: SIMULATED_RUNTIME_VERSION,
      kubeletVersion: SIMULATED_KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** A stable 32-hex-digit machine id derived from the node's name (as /etc/machine-id looks). */
function machineID(name: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 4; round++) {
    for (const ch of `${round}:${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** The Node to create for `id` at `now`. */
export function newNode(id: NodeIdentity, options: ResolvedSimulatedNodesOptions, now: Date): Node {
  return NodeFns.fromPartial({
    metadata: {
      name: id.name,
      labels: {
        ...options.labels,
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': id.name,
        'kubernetes.io/os': 'linux',
        [SIMULATED_NODE_LABEL]: 'true',
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] },
    status: nodeStatus(id, options, undefined, now),
  });
}
