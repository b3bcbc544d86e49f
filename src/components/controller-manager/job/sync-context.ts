/** The state one Job sync computes and passes between its steps (upstream's syncJobCtx). */
import type { Job, JobCondition } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { BackoffRecord } from './backoff.js';

export interface SyncContext {
  key: string;
  /** The working copy of the Job, written back through updateStatus. */
  job: Job;
  /** Every pod the Job owns. */
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  /** Uids in status.uncountedTerminatedPods when the sync began. */
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  /** Pods whose finalizer removal was asked for and is not yet in the cache. */
  expectedRmFinalizers: ReadonlySet<string>;
  succeeded: number;
  failed: number;
  /** The condition that ends the Job, once decided. */
  finishedCondition?: JobCondition;
  prevSucceededIndexes: Set<number>;
  succeededIndexes: Set<number>;
  newBackoff: BackoffRecord;
  onlyReplaceFailed: boolean;
}

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed';
export const isSuspended = (job: Job): boolean => job.spec?.suspend === true;
