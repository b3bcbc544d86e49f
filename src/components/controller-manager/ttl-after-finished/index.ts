/**
 * The TTL-after-finished controller (upstream's `ttl-after-finished`): a finished Job
 * (a True `Complete` or `Failed` condition) with spec.ttlSecondsAfterFinished is deleted,
 * with background propagation, that many seconds after the condition's transition time.
 * Before deleting it re-reads the Job from the server, so a Job whose TTL was just changed
 * or that was re-created under the same name is not removed by mistake.
 */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { keyOf, RateLimitingQueue, runWorkers, splitKey, StatusError, timeOf } from '../../../client/index.js';
import { controllerClock, type Clock } from '../clock.js';
import type { ControllerContext } from '../context.js';
import { finishedCondition } from '../job/conditions.js';

/** Whether the Job is finished and has a TTL. */
export function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished !== undefined && job.metadata?.deletionTimestamp === undefined && finishedCondition(job) !== undefined;
}

/** When the Job's TTL runs out, or undefined when it has none (or no finish time). */
export function expiresAt(job: Job): Date | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const finished = timeOf(finishedCondition(job)?.lastTransitionTime);
  if (ttl === undefined || !finished) return undefined;
  return new Date(finished.getTime() + ttl * 1000);
}

/** Milliseconds until expiry (≤ 0: expired), or undefined when the Job needs no cleanup. */
function timeLeft(job: Job, clock: Clock): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const at = expiresAt(job);
  if (!at) return undefined;
  return at.getTime() - clock.now().getTime();
}

export function startTtlAfterFinishedController(ctx: ControllerContext): void {
  const cs = ctx.cs;
  const jobs = ctx.informers.informerFor(cs.batchV1.jobs);
  const clock = controllerClock(ctx.options);
  const queue = new RateLimitingQueue<string>();
  const enqueue = (job: Job): void => {
    if (needsCleanup(job)) queue.add(keyOf(job));
  };
  jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });

  const sync = async (key: string): Promise<void> => {
    const [ns, name] = splitKey(key);
    const cached = jobs.lister().get(ns, name);
    if (!cached) return;
    const left = timeLeft(cached, clock);
    if (left === undefined) return;
    if (left > 0) {
      queue.addAfter(key, left);
      return;
    }
    // The cache may be stale: decide again on the server's copy.
    let fresh: Job;
    try {
      fresh = await cs.batchV1.jobs.get(name, { namespace: ns });
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') return;
      throw err;
    }
    const freshLeft = timeLeft(fresh, clock);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) {
      queue.addAfter(key, freshLeft);
      return;
    }
    ctx.log(`ttl-after-finished: deleting job ${key}`);
    try {
      await cs.batchV1.jobs.delete(name, {
        namespace: ns,
        propagationPolicy: 'Background',
        preconditions: { uid: fresh.metadata?.uid, resourceVersion: fresh.metadata?.resourceVersion },
      });
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') return;
      throw err;
    }
  };

  void runWorkers(queue, ctx.options.workers ?? 2, sync, ctx.signal);
  ctx.signal.addEventListener('abort', () => {
    queue.shutDown();
  }, { once: true });
}

