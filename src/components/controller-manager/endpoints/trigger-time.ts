/**
 * The last-change trigger time (upstream TriggerTimeTracker): for each sync of a Service, the
 * earliest time among the changes not yet reflected — the Service's creation when it is new, and
 * each selected pod's Ready condition transition that changed since the last sync. Written as the
 * `endpoints.kubernetes.io/last-change-trigger-time` annotation; absent (zero) when nothing new.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import { timeOf } from '../../../client/index.js';

interface ServiceState {
  lastPodTriggerTimes: Map<string, number>;
  lastServiceTriggerTime: number;
}

function podTriggerTime(pod: Pod): number | undefined {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return timeOf(ready?.lastTransitionTime)?.getTime();
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** The trigger time for this sync of `key` over `pods` (undefined: none), remembering what it saw. */
  compute(key: string, service: Service, pods: Pod[]): Date | undefined {
    const prior = this.states.get(key);
    const state: ServiceState = { lastPodTriggerTimes: new Map(), lastServiceTriggerTime: timeOf(service.metadata?.creationTimestamp)?.getTime() ?? 0 };
    let min: number | undefined;
    if (!prior || prior.lastServiceTriggerTime !== state.lastServiceTriggerTime) min = state.lastServiceTriggerTime || undefined;
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === undefined) continue;
      const name = pod.metadata?.name ?? '';
      state.lastPodTriggerTimes.set(name, t);
      if (!prior || prior.lastPodTriggerTimes.get(name) !== t) min = min === undefined ? t : Math.min(min, t);
    }
    this.states.set(key, state);
    return min === undefined ? undefined : new Date(min);
  }

  forget(key: string): void {
    this.states.delete(key);
  }
}

/** A time as Go's RFC3339Nano in UTC (trailing zero fractions dropped). */
export function formatRFC3339Nano(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}
