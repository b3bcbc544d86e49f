/**
 * The CronJob controller (upstream's `cronjob` controller, v2): starts Jobs on a schedule.
 * A CronJob's key is synced when it or one of its Jobs changes, and again at its next
 * scheduled time (a delayed add to the queue; a jump of a test clock syncs every CronJob).
 */
import type { CronJob, Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { controllerRef, keyOf, objectReference, RateLimitingQueue, runWorkers } from '../../../client/index.js';
import { controllerClock } from '../clock.js';
import type { ControllerContext } from '../context.js';
import type { CronJobDeps } from './deps.js';
import { parseSchedule } from './schedule.js';
import { nextScheduleDelayMs } from './schedule-times.js';
import { syncCronJobKey } from './sync.js';

export function startCronJobController(ctx: ControllerContext): void {
  const cs = ctx.cs;
  const queue = new RateLimitingQueue<string>();
  const d: CronJobDeps = {
    cs,
    cronJobs: ctx.informers.informerFor(cs.batchV1.cronJobs),
    jobs: ctx.informers.informerFor(cs.batchV1.jobs),
    recorder: ctx.recorder('cronjob-controller'),
    clock: controllerClock(ctx.options),
    queue,
    log: (msg) => ctx.log(`cronjob: ${msg}`),
  };

  /** The CronJob named by the Job's controller reference, when it still has that uid. */
  const ownerOf = (job: Job): CronJob | undefined => {
    const ref = controllerRef(job);
    if (!ref || ref.kind !== 'CronJob') return undefined;
    const cj = d.cronJobs.lister().get(job.metadata?.namespace ?? '', ref.name ?? '');
    return cj?.metadata?.uid === ref.uid ? cj : undefined;
  };
  const enqueueOwner = (job: Job): void => {
    const cj = ownerOf(job);
    if (cj) queue.add(keyOf(cj));
  };

  d.cronJobs.addEventHandler({
    onAdd: (cj) => queue.add(keyOf(cj)),
    onUpdate: (old, cur) => {
      if (old.spec?.schedule !== cur.spec?.schedule || old.spec?.timeZone !== cur.spec?.timeZone) {
        // A new schedule: come back at its next time (a bad one waits for the next edit).
        try {
          const schedule = parseSchedule(cur.spec?.schedule ?? '', cur.spec?.timeZone);
          queue.addAfter(keyOf(cur), Math.max(0, nextScheduleDelayMs(cur, d.clock.now(), schedule)));
        } catch {
          d.recorder.event(
            objectReference(cs.batchV1.cronJobs, cur),
            'Warning',
            'UnParseableCronJobSchedule',
            `unparseable schedule for cronjob: ${cur.spec?.schedule ?? ''}`,
          );
        }
        return;
      }
      queue.add(keyOf(cur));
    },
    onDelete: (cj) => queue.add(keyOf(cj)),
  });
  d.jobs.addEventHandler({
    onAdd: enqueueOwner,
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) enqueueOwner(old);
      enqueueOwner(cur);
    },
    onDelete: enqueueOwner,
  });

  void runWorkers(queue, ctx.options.workers ?? 2, (key) => syncCronJobKey(d, key), ctx.signal);
  ctx.signal.addEventListener('abort', () => {
    queue.shutDown();
  }, { once: true });
}
