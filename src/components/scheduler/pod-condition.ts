/** The PodScheduled condition the scheduler writes on a pod it could not place. */
import { PodStatus, type Pod, type PodCondition } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { toTime } from '../../client/index.js';

/**
 * `pod` with its PodScheduled condition set to `status`/`reason`/`message` (replacing the one it
 * has; lastTransitionTime kept while the status stays), or undefined when it has exactly that
 * condition already and no write is needed.
 */
export function withPodScheduledCondition(pod: Pod, status: string, reason: string, message: string): Pod | undefined {
  const conditions = pod.status?.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  const existing = i >= 0 ? conditions[i] : undefined;
  if (existing && existing.status === status && existing.reason === reason && existing.message === message) return undefined;
  const condition: PodCondition = {
    type: 'PodScheduled',
    status,
    reason,
    message,
    lastProbeTime: undefined,
    lastTransitionTime: existing && existing.status === status && existing.lastTransitionTime ? existing.lastTransitionTime : toTime(new Date()),
  };
  const next = [...conditions];
  if (i >= 0) next[i] = condition;
  else next.push(condition);
  return { ...pod, status: PodStatus.fromPartial({ ...(pod.status ?? {}), conditions: next }) };
}
