/**
 * The Job controller's pod writes, each recording upstream's Event on the Job:
 * `SuccessfulCreate` / `FailedCreate`, `SuccessfulDelete` / `FailedDelete`; and the removal
 * of the job-tracking finalizer (a strategic-merge `$deleteFromPrimitiveList` patch).
 */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { objectReference, StatusError } from '../../../client/index.js';
import type { JobDeps } from './deps.js';
import { JOB_TRACKING_FINALIZER } from './names.js';
import { hasTrackingFinalizer } from './pod-state.js';

const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.reason === 'NotFound';
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Creates `pod` for `job`; records the Event. Throws what the server answered. */
export async function createPod(d: JobDeps, job: Job, pod: Pod): Promise<Pod> {
  const ref = objectReference(d.cs.batchV1.jobs, job);
  try {
    const created = await d.cs.coreV1.pods.create(pod, { namespace: job.metadata?.namespace });
    d.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
    return created;
  } catch (err) {
    d.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${message(err)}`);
    throw err;
  }
}

/** Deletes `pod` of `job` (a missing pod counts as deleted); records the Event. */
export async function deletePod(d: JobDeps, job: Job, pod: Pod): Promise<void> {
  const ref = objectReference(d.cs.batchV1.jobs, job);
  const name = pod.metadata?.name ?? '';
  try {
    await d.cs.coreV1.pods.delete(name, { namespace: pod.metadata?.namespace });
    d.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  } catch (err) {
    if (isNotFound(err)) return;
    d.recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`);
    throw err;
  }
}

/** Removes the job-tracking finalizer from `pod`; a pod already gone counts as done. */
export async function removeTrackingFinalizer(d: JobDeps, pod: Pod): Promise<void> {
  if (!hasTrackingFinalizer(pod)) return;
  const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
  try {
    await d.cs.coreV1.pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { namespace: pod.metadata?.namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export { isNotFound };
