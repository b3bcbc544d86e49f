/**
 * What a run of simulated nodes takes, with upstream kubelet's defaults where it has one.
 */

/** Options of `runSimulatedNodes`. */
export interface SimulatedNodesOptions {
  /** How many nodes: `<namePrefix>1` to `<namePrefix><count>`. */
  count: number;
  /** The node names' prefix; default `node-`. */
  namePrefix?: string;
  /** How often each node renews its Lease in kube-node-lease; default 10 s (the kubelet's renew interval). */
  heartbeatMs?: number;
  /** The Lease's leaseDurationSeconds; default 40 (the kubelet's nodeLeaseDurationSeconds). */
  leaseDurationSeconds?: number;
  /**
   * How often each node posts its Node status (the conditions' lastHeartbeatTime) when
   * nothing changed; default 5 min (the kubelet's nodeStatusReportFrequency).
   */
  nodeStatusReportMs?: number;
  /** How long a pod with restartPolicy Never or OnFailure (a Job's pod) runs before its containers exit; default 1 s. */
  jobPodDurationMs?: number;
  /** How long after a pod is bound its containers start; default 0 (at once, as kwok does). */
  podStartupMs?: number;
  /** The nodes' cpu, memory and pods capacity (and allocatable); default 4, 16Gi and 110. */
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Extra labels for every node. */
  labels?: Record<string, string>;
  /** Record the kubelet's Events (Pulled, Created, Started, Killing); default true. */
  events?: boolean;
  /** Where to say what the nodes do; default nowhere. */
  log?: (message: string) => void;
}

/** The options with every default filled in. */
export type ResolvedSimulatedNodesOptions = Required<Omit<SimulatedNodesOptions, 'capacity' | 'labels'>> & {
  capacity: { cpu: string; memory: string; pods: string };
  labels: Record<string, string>;
};

/** Fills the defaults in and checks the numbers. */
export function resolveSimulatedNodesOptions(o: SimulatedNodesOptions): ResolvedSimulatedNodesOptions {
  if (!Number.isInteger(o.count) || o.count < 0) throw new RangeError(`simulated node count must be a non-negative integer, not ${o.count}`);
  const resolved: ResolvedSimulatedNodesOptions = {
    count: o.count,
    namePrefix: o.namePrefix ?? 'node-',
    heartbeatMs: o.heartbeatMs ?? 10_000,
    leaseDurationSeconds: o.leaseDurationSeconds ?? 40,
    nodeStatusReportMs: o.nodeStatusReportMs ?? 5 * 60_000,
    jobPodDurationMs: o.jobPodDurationMs ?? 1000,
    podStartupMs: o.podStartupMs ?? 0,
    capacity: { cpu: o.capacity?.cpu ?? '4', memory: o.capacity?.memory ?? '16Gi', pods: o.capacity?.pods ?? '110' },
    labels: { ...(o.labels ?? {}) },
    events: o.events ?? true,
    log: o.log ?? (() => {}),
  };
  for (const k of ['heartbeatMs', 'nodeStatusReportMs', 'jobPodDurationMs', 'podStartupMs', 'leaseDurationSeconds'] as const) {
    if (!(resolved[k] >= 0)) throw new RangeError(`simulated nodes: ${k} must be a non-negative number, not ${resolved[k]}`);
  }
  if (resolved.heartbeatMs === 0) throw new RangeError('simulated nodes: heartbeatMs must be positive');
  return resolved;
}
