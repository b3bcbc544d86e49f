/**
 * The scheduler component (kube-scheduler): places unbound pods onto nodes. The caller wraps it
 * in leader election and a CLI.
 */
import type { Clientset } from '../../client/index.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerOptions } from './scheduler.js';

/** Schedules pods for `options.schedulerName` (default `default-scheduler`) until `signal` aborts. */
export async function runScheduler(cs: Clientset, options: SchedulerOptions = {}, signal: AbortSignal): Promise<void> {
  await new Scheduler(cs, options).run(signal);
}
