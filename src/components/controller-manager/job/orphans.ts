/**
 * Pods left with the job-tracking finalizer by a Job that is gone or finished (upstream's
 * orphan pod queue): the finalizer is removed so the pod can be deleted or collected.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { LabelSelector } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { controllerRef, matchesLabelSelector, splitKey } from '../../../client/index.js';
import { isJobFinished } from './conditions.js';
import type { JobDeps } from './deps.js';
import { removeTrackingFinalizer } from './pod-control.js';
import { hasTrackingFinalizer } from './pod-state.js';

/** The pod's Job from the cache when its controller reference still names it. */
export function jobOfPod(d: JobDeps, pod: Pod) {
  const ref = controllerRef(pod);
  if (!ref || ref.kind !== 'Job' || !(ref.apiVersion ?? '').startsWith('batch/')) return undefined;
  const job = d.jobs.lister().get(pod.metadata?.namespace ?? '', ref.name ?? '');
  return job && job.metadata?.uid === ref.uid ? job : undefined;
}

/** Whether the pod's finalizer is nobody's to remove but the orphan cleanup's. */
export function isOrphanWithFinalizer(d: JobDeps, pod: Pod): boolean {
  if (!hasTrackingFinalizer(pod)) return false;
  const ref = controllerRef(pod);
  if (ref && ref.kind !== 'Job') return false;
  const job = jobOfPod(d, pod);
  return !job || isJobFinished(job);
}

/** Removes the finalizer from the orphan pod at `key`, if it still is one. */
export async function syncOrphanPod(d: JobDeps, key: string): Promise<void> {
  const [ns, name] = splitKey(key);
  const pod = d.pods.lister().get(ns, name);
  if (!pod || !isOrphanWithFinalizer(d, pod)) return;
  // A pod without a controller may still be adopted while a matching Job is running.
  if (!controllerRef(pod)) {
    const running = d.jobs.lister().list(undefined, ns).some((j) => !isJobFinished(j) && j.spec?.selector && matches(j.spec.selector, pod));
    if (running) return;
  }
  await removeTrackingFinalizer(d, pod);
}

const matches = (s: LabelSelector, p: Pod): boolean => matchesLabelSelector(s, p.metadata?.labels);
