/**
 * Node health as upstream's node lifecycle controller judges it (tryUpdateNodeHealth): for
 * each node it remembers, on its own clock, when it last saw a sign of life (probeTimestamp)
 * — a new lastHeartbeatTime on the Ready condition, or a newer renewTime on the node's
 * Lease. A node silent for longer than its grace period (nodeMonitorGracePeriod; the longer
 * nodeStartupGracePeriod for one that never posted a Ready condition) gets its Ready,
 * MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown: reason
 * NodeStatusUnknown, `Kubelet stopped posting node status.` (NodeStatusNeverUpdated, `Kubelet
 * never posted node status.`, for a condition it never posted).
 */
import type { Lease } from '../../../../gen/k8s/io/api/coordination/v1/generated.js';
import type { Node, NodeCondition } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { MicroTime, Time } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { timeOf, toTime } from '../../../client/index.js';

/** The conditions set to Unknown when the kubelet falls silent (NetworkUnavailable is the network's). */
const SILENCED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface HealthRecord {
  /** When (controller clock, ms) a sign of life was last seen. */
  probeTimestamp: number;
  /** When the Ready condition was last seen to change. */
  readyTransitionTimestamp: number;
  /** The Ready condition as last seen. */
  ready: NodeCondition | undefined;
  /** The Lease's renewTime as last seen (ms). */
  leaseRenewTime: number | undefined;
}

/** What one health check found. */
export interface HealthCheck {
  /** The Ready condition as the node had it before the check (a made-up Unknown when it had none). */
  observed: NodeCondition;
  /** The Ready condition after the check (undefined when the node has none and is still in its grace period). */
  current: NodeCondition | undefined;
  /** The node with its conditions set Unknown, when the check decided so (to be written with updateStatus). */
  silenced?: Node;
}

const timeEqual = (a: Time | undefined, b: Time | undefined): boolean => (a?.seconds ?? 0) === (b?.seconds ?? 0) && (a?.nanos ?? 0) === (b?.nanos ?? 0);

export const readyCondition = (node: Node | undefined): NodeCondition | undefined => (node?.status?.conditions ?? []).find((c) => c.type === 'Ready');

const msOf = (t: Time | MicroTime | undefined): number | undefined => timeOf(t)?.getTime();

export class NodeHealth {
  private readonly records = new Map<string, HealthRecord>();

  constructor(
    private readonly gracePeriodMs: number,
    private readonly startupGracePeriodMs: number,
  ) {}

  /** Whether the node has been checked at least once. */
  known(name: string): boolean {
    return this.records.has(name);
  }

  /** The Ready condition last seen for the node. */
  lastReady(name: string): NodeCondition | undefined {
    return this.records.get(name)?.ready;
  }

  forget(name: string): void {
    this.records.delete(name);
  }

  /** Checks the node (and its Lease) at `now` (ms). */
  check(node: Node, lease: Lease | undefined, now: number): HealthCheck {
    const name = node.metadata?.name ?? '';
    const created = msOf(node.metadata?.creationTimestamp) ?? now;
    let record = this.records.get(name);
    const current = readyCondition(node);
    let observed: NodeCondition;
    let gracePeriod: number;
    if (!current) {
      const at = node.metadata?.creationTimestamp;
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: at, lastTransitionTime: at };
      gracePeriod = this.startupGracePeriodMs;
      if (!record) record = { probeTimestamp: created, readyTransitionTimestamp: created, ready: undefined, leaseRenewTime: undefined };
    } else {
      observed = structuredClone(current);
      gracePeriod = this.gracePeriodMs;
    }
    const saved = record?.ready;
    if (!record) {
      record = { probeTimestamp: now, readyTransitionTimestamp: now, ready: current, leaseRenewTime: undefined };
    } else if ((!saved && current) || (saved && !current)) {
      record = { probeTimestamp: now, readyTransitionTimestamp: now, ready: current, leaseRenewTime: record.leaseRenewTime };
    } else if (saved && current && !timeEqual(saved.lastHeartbeatTime, current.lastHeartbeatTime)) {
      const transitioned = !timeEqual(saved.lastTransitionTime, current.lastTransitionTime);
      record = { probeTimestamp: now, readyTransitionTimestamp: transitioned ? now : record.readyTransitionTimestamp, ready: current, leaseRenewTime: record.leaseRenewTime };
    }
    const renewed = msOf(lease?.spec?.renewTime);
    if (renewed !== undefined && (record.leaseRenewTime === undefined || record.leaseRenewTime < renewed)) {
      record.leaseRenewTime = renewed;
      record.probeTimestamp = now;
    }
    this.records.set(name, record);

    if (now <= record.probeTimestamp + gracePeriod) return { observed, current };
    const silenced = structuredClone(node);
    const status = silenced.status ?? (silenced.status = { capacity: {}, allocatable: {}, conditions: [], addresses: [], images: [], volumesInUse: [], volumesAttached: [], runtimeHandlers: [], declaredFeatures: [] });
    const at = toTime(new Date(now));
    for (const type of SILENCED_CONDITIONS) {
      const c = status.conditions.find((x) => x.type === type);
      if (!c) {
        status.conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: at });
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at });
      }
    }
    const after = readyCondition(silenced);
    const changed = JSON.stringify(after) !== JSON.stringify(observed);
    if (!changed) return { observed, current: after };
    return { observed, current: after, silenced };
  }

  /** Records that the silenced status was written: the Ready condition as written, its transition now. */
  written(node: Node, now: number): void {
    const name = node.metadata?.name ?? '';
    const record = this.records.get(name);
    if (!record) return;
    this.records.set(name, { ...record, ready: readyCondition(node), readyTransitionTimestamp: now });
  }
}
