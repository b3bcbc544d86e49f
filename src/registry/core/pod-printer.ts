/**
 * How a Pod prints (upstream's printPod): READY from ready containers (sidecars count),
 * STATUS from the phase, the init containers' and containers' states and the deletion
 * mark, RESTARTS with the time of the last restart, and the `-o wide` placement columns.
 */
import type { ContainerStatus, Pod } from '../../../gen/kube/core-v1.js';
import { since, timestampMillis } from '../../util/duration.js';
import type { PrinterColumn } from '../rest/definition.js';
import { num, str } from './fields.js';

/** The reason the node lifecycle controller gives pods on a node it lost (upstream's NodeUnreachablePodReason). */
const NODE_LOST_REASON = 'NodeLost';

/** What printPod works out for one pod. */
interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Whether the Initialized condition (its first occurrence) is True. */
function initializedTrue(pod: Pod): boolean {
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

/** When a container last stopped, in ms since the epoch (0 when it never did). */
function lastTerminated(s: ContainerStatus): number {
  return timestampMillis(s.lastState?.terminated?.finishedAt) ?? 0;
}

/** `Signal:9` / `ExitCode:1` for a terminated state without a reason. */
function terminatedWithoutReason(t: { signal?: number; exitCode?: number }): string {
  const signal = num(t.signal) ?? 0;
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(t.exitCode) ?? 0}`;
}

/** Upstream's printPod, the cells it computes before Age. */
export function summarizePod(pod: Pod, now = Date.now()): PodSummary {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)));
  const total = (spec.containers ?? []).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  let reason = str(st.reason) || str(st.phase);
  if ((st.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = st.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const count = num(c.restartCount) ?? 0;
    restarts += count;
    lastRestart = Math.max(lastRestart, lastTerminated(c));
    const sidecar = sidecars.has(str(c.name));
    if (sidecar) {
      sidecarRestarts += count;
      lastSidecarRestart = Math.max(lastSidecarRestart, lastTerminated(c));
    }
    const terminated = c.state?.terminated;
    const waitingReason = str(c.state?.waiting?.reason);
    if (terminated && (num(terminated.exitCode) ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) reason = str(terminated.reason) ? `Init:${str(terminated.reason)}` : `Init:${terminatedWithoutReason(terminated)}`;
    else if (c.state?.waiting && waitingReason !== '' && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(pod)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = st.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += num(c.restartCount) ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(c));
      const waitingReason = str(c.state?.waiting?.reason);
      const terminated = c.state?.terminated;
      if (c.state?.waiting && waitingReason !== '') reason = waitingReason;
      else if (terminated && str(terminated.reason) !== '') reason = str(terminated.reason);
      else if (terminated) reason = terminatedWithoutReason(terminated);
      else if (c.ready === true && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last-listed container completed while another still runs is not Completed.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp) {
    if (st.reason === NODE_LOST_REASON) reason = 'Unknown';
    else if (st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';
  }

  const restartsText = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

/** Readiness gates whose condition is True, of those the spec lists (`<none>` without gates). */
function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${met}/${gates.length}`;
}

/** Upstream's pod columns after Name (Age goes after Restarts). */
export const podColumns: PrinterColumn<Pod>[] = [
  { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (obj) => summarizePod(obj).ready },
  { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (obj) => summarizePod(obj).status },
  {
    name: 'Restarts',
    type: 'string',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    cell: (obj) => summarizePod(obj).restarts,
  },
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description:
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    cell: (obj) => str(obj.status?.podIPs?.[0]?.ip) || '<none>',
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description:
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    cell: (obj) => str(obj.spec?.nodeName) || '<none>',
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description:
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    cell: (obj) => str(obj.status?.nominatedNodeName) || '<none>',
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    priority: 1,
    description: 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    cell: readinessGates,
  },
];
