/**
 * The pods a Job owns (upstream's getPodsForJob with its ControllerRefManager): pods whose
 * controller reference names the Job's uid, plus orphans in its namespace matching its
 * selector, which are adopted (a controller reference added) unless the Job or the pod is
 * being deleted. Owned pods that no longer match the selector are released.
 */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { controllerRef, matchesLabelSelector, ownerReferenceTo } from '../../../client/index.js';
import type { JobDeps } from './deps.js';
import { isNotFound } from './pod-control.js';

export async function claimPods(d: JobDeps, job: Job): Promise<Pod[]> {
  const ns = job.metadata?.namespace ?? '';
  const uid = job.metadata?.uid ?? '';
  const selector = job.spec?.selector;
  const out: Pod[] = [];
  let fresh: Job | undefined;
  const canAdopt = async (): Promise<boolean> => {
    if (job.metadata?.deletionTimestamp !== undefined) return false;
    // Adoption re-reads the Job: a Job recreated under the same name must not take old pods.
    fresh ??= await d.cs.batchV1.jobs.get(job.metadata?.name ?? '', { namespace: ns });
    return fresh.metadata?.uid === uid && fresh.metadata?.deletionTimestamp === undefined;
  };
  for (const pod of d.pods.lister().list(undefined, ns)) {
    const ref = controllerRef(pod);
    const matches = selector !== undefined && matchesLabelSelector(selector, pod.metadata?.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches || job.metadata?.deletionTimestamp !== undefined) {
        out.push(pod);
        continue;
      }
      await release(d, pod, uid);
      continue;
    }
    if (!matches || pod.metadata?.deletionTimestamp !== undefined) continue;
    if (!(await canAdopt())) continue;
    const patch = { metadata: { ownerReferences: [ownerReferenceTo(d.cs.batchV1.jobs.facts, job)], uid: pod.metadata?.uid } };
    try {
      out.push(await d.cs.coreV1.pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { namespace: ns }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return out;
}

async function release(d: JobDeps, pod: Pod, ownerUid: string): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: pod.metadata?.uid } };
  try {
    await d.cs.coreV1.pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { namespace: pod.metadata?.namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
