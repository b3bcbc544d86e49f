/** What the Job controller's sync functions share: the client, caches, queue and bookkeeping. */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Clientset, EventRecorder, Informer, RateLimitingQueue } from '../../../client/index.js';
import type { Clock } from '../clock.js';
import type { BackoffStore } from './backoff.js';
import type { Expectations } from './expectations.js';

export interface JobDeps {
  cs: Clientset;
  jobs: Informer<Job>;
  pods: Informer<Pod>;
  recorder: EventRecorder;
  clock: Clock;
  expectations: Expectations;
  backoff: BackoffStore;
  queue: RateLimitingQueue<string>;
  log(msg: string): void;
}
