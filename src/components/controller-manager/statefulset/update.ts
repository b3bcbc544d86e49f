/**
 * One reconciliation of a StatefulSet's pods (upstream stateful_set_control.go updateStatefulSet):
 * replace failed pods, create missing ordinals, wait (OrderedReady) for each to be Running and Ready
 * before the next, delete ordinals beyond replicas highest first, then roll pods at or above the
 * partition onto the update revision, highest ordinal first, one at a time (RollingUpdate).
 * Parallel creates and deletes without waiting. OnDelete leaves existing pods alone.
 */
import type { ControllerRevision, StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import { isPodAvailable, isPodReady, isTerminating, msUntilAvailable } from '../podutil/readiness.js';
import { newStatefulSetPod, ordinalOf, startOrdinal } from './identity.js';
import type { StatefulPodControl } from './pod-control.js';
import { applyRevision } from './revisions.js';

/** The revision label of a pod. */
export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[POD_REVISION_HASH_LABEL] ?? '';
}

/** The server has accepted the pod (it has a phase). */
export function isCreated(pod: Pod): boolean {
  return (pod.status?.phase ?? '') !== '';
}

function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

/** Running with the Ready condition True. */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** Running and ready for minReadySeconds. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** The outcome of one pass: when to look again even without a watch event. */
export interface UpdateOutcome {
  requeueAfterMs?: number;
}

/** Inputs of one pass. */
export interface UpdateInput {
  set: StatefulSet;
  pods: Pod[];
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  owner: OwnerReference;
  control: StatefulPodControl;
  now: Date;
}

/**
 * The pod for `ordinal`: from the current revision below the partition (or, without a partition,
 * among the first status.currentReplicas ordinals), else from the update revision.
 */
function newVersionedPod(input: UpdateInput, currentSet: StatefulSet, updateSet: StatefulSet, ordinal: number): Pod {
  const { set, currentRevision, updateRevision, owner } = input;
  const strategy = set.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const start = startOrdinal(set);
  const partition = strategy?.rollingUpdate?.partition;
  const useCurrent =
    (rolling && partition === undefined && ordinal < start + (set.status?.currentReplicas ?? 0)) ||
    (partition !== undefined && ordinal < start + partition);
  return useCurrent
    ? newStatefulSetPod(currentSet, ordinal, currentRevision.metadata?.name ?? '', owner)
    : newStatefulSetPod(updateSet, ordinal, updateRevision.metadata?.name ?? '', owner);
}

/** Runs one pass over the set's pods, acting through `control`. */
export async function updateStatefulSetPods(input: UpdateInput): Promise<UpdateOutcome> {
  const { set, pods, control, now } = input;
  const currentSet = applyRevision(set, input.currentRevision);
  const updateSet = applyRevision(set, input.updateRevision);
  const replicaCount = set.spec?.replicas ?? 1;
  const start = startOrdinal(set);
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';

  // Ordinals in [start, start+replicas) are wanted; any other member is condemned.
  const replicas: (Pod | undefined)[] = new Array<Pod | undefined>(replicaCount).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord < start + replicaCount) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  if (set.metadata?.deletionTimestamp !== undefined) return {};

  let requeueAfterMs: number | undefined;
  const later = (ms: number) => {
    requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
  };

  for (let i = 0; i < replicaCount; i++) {
    let pod = replicas[i];
    // A pod that ran to completion or failed is deleted and made again.
    if (pod && (isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      pod = undefined;
      if (monotonic) return {};
    }
    if (!pod) {
      await control.createPod(set, newVersionedPod(input, currentSet, updateSet, start + i));
      if (monotonic) return {};
      continue;
    }
    if (isTerminating(pod) && monotonic) return {};
    if (!isCreated(pod) && monotonic) return {};
    if (!isRunningAndReady(pod) && monotonic) return {};
    if (!isRunningAndAvailable(pod, minReadySeconds, now) && monotonic) {
      later(msUntilAvailable(pod, minReadySeconds, now) + 50);
      return { requeueAfterMs };
    }
  }

  // All wanted pods are Running and Ready (or the policy is Parallel): scale down, highest first.
  const firstUnhealthy = [...replicas, ...condemned].find((p) => p !== undefined && !isHealthy(p));
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return {};
      continue;
    }
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return {};
    await control.ownClaimsByPod(set, pod);
    await control.deletePod(set, pod);
    if (monotonic) return {};
  }

  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'OnDelete') return { requeueAfterMs };

  // Rolling update: highest ordinal first, down to the partition, one pod at a time.
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const updateName = input.updateRevision.metadata?.name ?? '';
  for (let target = replicaCount - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (!pod) return { requeueAfterMs };
    if (podRevision(pod) !== updateName && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      return { requeueAfterMs };
    }
    if (!isHealthy(pod)) return { requeueAfterMs };
  }
  return { requeueAfterMs };
}
