/** What the CronJob controller's sync functions share. */
import type { CronJob, Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Clientset, EventRecorder, Informer, RateLimitingQueue } from '../../../client/index.js';
import type { Clock } from '../clock.js';

export interface CronJobDeps {
  cs: Clientset;
  cronJobs: Informer<CronJob>;
  jobs: Informer<Job>;
  recorder: EventRecorder;
  clock: Clock;
  queue: RateLimitingQueue<string>;
  log(msg: string): void;
}
