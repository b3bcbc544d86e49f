/**
 * The Job controller (upstream's `job` controller): runs a Job's pods to completion.
 * Jobs and pods come from the shared informers; each change enqueues the Job's key and two
 * workers sync Jobs (sync.ts); a second queue frees orphaned pods of their finalizer.
 */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { controllerRef, keyOf, matchesLabelSelector, RateLimitingQueue, runWorkers } from '../../../client/index.js';
import { controllerClock } from '../clock.js';
import type { ControllerContext } from '../context.js';
import { BackoffStore } from './backoff.js';
import type { JobDeps } from './deps.js';
import { Expectations } from './expectations.js';
import { isOrphanWithFinalizer, jobOfPod, syncOrphanPod } from './orphans.js';
import { hasTrackingFinalizer } from './pod-state.js';
import { syncJob } from './sync.js';

export function startJobController(ctx: ControllerContext): void {
  const cs = ctx.cs;
  const queue = new RateLimitingQueue<string>();
  const orphans = new RateLimitingQueue<string>();
  const d: JobDeps = {
    cs,
    jobs: ctx.informers.informerFor(cs.batchV1.jobs),
    pods: ctx.informers.informerFor(cs.coreV1.pods),
    recorder: ctx.recorder('job-controller'),
    clock: controllerClock(ctx.options),
    expectations: new Expectations(),
    backoff: new BackoffStore(),
    queue,
    log: (msg) => ctx.log(`job: ${msg}`),
  };

  const enqueueJob = (job: Job): void => queue.add(keyOf(job));
  /** The Job owning the pod, else (for a pod without controller) every Job whose selector matches it. */
  const enqueueForPod = (pod: Pod): void => {
    const job = jobOfPod(d, pod);
    if (job) enqueueJob(job);
    else if (!controllerRef(pod)) {
      for (const j of d.jobs.lister().list(undefined, pod.metadata?.namespace ?? '')) {
        if (j.spec?.selector && matchesLabelSelector(j.spec.selector, pod.metadata?.labels)) enqueueJob(j);
      }
    }
    if (isOrphanWithFinalizer(d, pod)) orphans.add(keyOf(pod));
  };
  const jobKeyOf = (pod: Pod): string | undefined => {
    const job = jobOfPod(d, pod);
    return job ? keyOf(job) : undefined;
  };

  d.jobs.addEventHandler({
    onAdd: enqueueJob,
    onUpdate: (_old, cur) => enqueueJob(cur),
    onDelete: (job) => {
      enqueueJob(job);
      // Its pods' finalizers are now the orphan cleanup's to remove.
      for (const p of d.pods.lister().list(undefined, job.metadata?.namespace ?? '')) {
        if (controllerRef(p)?.uid === job.metadata?.uid && hasTrackingFinalizer(p)) orphans.add(keyOf(p));
      }
    },
  });
  d.pods.addEventHandler({
    onAdd: (pod) => {
      const key = jobKeyOf(pod);
      if (key) {
        d.expectations.creationObserved(key);
        if (pod.metadata?.deletionTimestamp !== undefined) d.expectations.deletionObserved(key);
      }
      enqueueForPod(pod);
    },
    onUpdate: (old, cur) => {
      const key = jobKeyOf(cur) ?? jobKeyOf(old);
      if (key) {
        if (old.metadata?.deletionTimestamp === undefined && cur.metadata?.deletionTimestamp !== undefined) d.expectations.deletionObserved(key);
        if (hasTrackingFinalizer(old) && !hasTrackingFinalizer(cur)) d.expectations.finalizerRemovalObserved(key, cur.metadata?.uid ?? '');
      }
      if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) enqueueForPod(old);
      enqueueForPod(cur);
    },
    onDelete: (pod) => {
      const key = jobKeyOf(pod);
      if (key) {
        if (pod.metadata?.deletionTimestamp === undefined) d.expectations.deletionObserved(key);
        d.expectations.finalizerRemovalObserved(key, pod.metadata?.uid ?? '');
      }
      enqueueForPod(pod);
    },
  });

  void runWorkers(queue, ctx.options.workers ?? 2, (key) => syncJob(d, key), ctx.signal);
  void runWorkers(orphans, 1, (key) => syncOrphanPod(d, key), ctx.signal);
  ctx.signal.addEventListener('abort', () => {
    queue.shutDown();
    orphans.shutDown();
  }, { once: true });
}
