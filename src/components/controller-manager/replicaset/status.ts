/**
 * A replica controller's status, as upstream's calculateStatus: replicas counts the active
 * pods it controls, fullyLabeledReplicas those whose labels carry every template label,
 * readyReplicas the Ready ones, availableReplicas those Ready for minReadySeconds; a failed
 * create or delete sets the ReplicaFailure condition (FailedCreate/FailedDelete with the
 * error), a clean sync removes it. observedGeneration is the generation the status was
 * computed for; the status is written only when something changed.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { toTime, type ResourceClient } from '../../../client/index.js';
import { errorText } from './pod-control.js';
import { isPodAvailable, isPodReady } from './pods.js';
import { reasonOf } from './errors.js';
import type { Replicated, ReplicaStatus } from './kinds.js';

/** The status `obj` should have given the active pods it controls and the error of this sync's create/delete, if any. */
export function calculateStatus(obj: Replicated, pods: Pod[], manageError: unknown, now = new Date()): ReplicaStatus {
  const old = obj.status ?? { conditions: [] };
  const templateLabels = obj.spec?.template?.metadata?.labels ?? {};
  const minReady = obj.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions = [...(old.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (obj.spec?.replicas ?? 0);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: toTime(now), reason, message: errorText(manageError) });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: old.observedGeneration,
    conditions,
  };
}

const COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const;

/**
 * Writes `status` (with observedGeneration set to the object's generation) unless the object
 * has it already; on a conflict reads the object again and retries once, as upstream.
 */
export async function updateStatusIfChanged<T extends Replicated>(client: ResourceClient<T, { items: T[] }>, obj: T, status: ReplicaStatus): Promise<T> {
  const current = obj.status ?? { conditions: [] };
  const generation = obj.metadata?.generation ?? 0;
  const same =
    COUNTS.every((f) => (current[f] ?? 0) === (status[f] ?? 0)) &&
    (current.observedGeneration ?? 0) === generation &&
    JSON.stringify(current.conditions ?? []) === JSON.stringify(status.conditions ?? []);
  if (same) return obj;
  const next = { ...status, observedGeneration: generation };
  try {
    return await client.updateStatus({ ...obj, status: next } as never, { namespace: obj.metadata?.namespace });
  } catch (err) {
    if (reasonOf(err) !== 'Conflict') throw err;
    const fresh = await client.get(obj.metadata?.name ?? '', { namespace: obj.metadata?.namespace });
    return client.updateStatus({ ...fresh, status: next } as never, { namespace: obj.metadata?.namespace });
  }
}
