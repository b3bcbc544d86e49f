/**
 * Back-off between pod failures (upstream's backoffStore): per Job, the failures since the
 * last success and when the latest happened. A replacement pod waits 10 s after one failure,
 * doubling per further failure, at most 6 minutes.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { finishedTime } from './pod-state.js';
import { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './names.js';

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: Date;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record the Job would have once these newly finished pods are counted. */
  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[], now: Date): BackoffRecord {
    const old = this.records.get(key) ?? { key, failuresAfterLastSuccess: 0 };
    if (newSucceeded.length === 0) {
      if (newFailed.length === 0) return old;
      return { key, failuresAfterLastSuccess: old.failuresAfterLastSuccess + newFailed.length, lastFailureTime: latest(newFailed, now) };
    }
    if (newFailed.length === 0) return { key, failuresAfterLastSuccess: 0 };
    const lastSuccess = latest(newSucceeded, now);
    const failuresAfter = newFailed.filter((p) => finishedTime(p, now) > lastSuccess);
    if (failuresAfter.length === 0) return { key, failuresAfterLastSuccess: 0 };
    return { key, failuresAfterLastSuccess: failuresAfter.length, lastFailureTime: latest(failuresAfter, now) };
  }

  save(record: BackoffRecord): void {
    this.records.set(record.key, record);
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}

function latest(pods: readonly Pod[], now: Date): Date {
  let t = new Date(0);
  for (const p of pods) {
    const f = finishedTime(p, now);
    if (f > t) t = f;
  }
  return t;
}

/** How long pod creation must still wait under `record` at `now` (0: create now). */
export function remainingBackoffMs(record: BackoffRecord, now: Date): number {
  if (record.failuresAfterLastSuccess === 0 || !record.lastFailureTime) return 0;
  const backoff = Math.min(DEFAULT_POD_FAILURE_BACKOFF_MS * 2 ** (record.failuresAfterLastSuccess - 1), MAX_POD_FAILURE_BACKOFF_MS);
  const elapsed = now.getTime() - record.lastFailureTime.getTime();
  return Math.max(0, backoff - elapsed);
}
