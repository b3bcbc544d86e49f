import type { RevisionBatch } from './broadcaster.js';
import type { RevisionLog } from './revision-log.js';

/**
 * What one queued write decided, evaluated inside the batch transaction.
 * `error` is an expected refusal (e.g. KeyExists): it fails only this write.
 * `event` is what to broadcast once the batch has committed.
 */
export type WriteOutcome<T> = { value: T; event?: RevisionBatch } | { error: Error };

/** A write to evaluate against the log; it must return (not throw) expected failures. */
export type WriteOp<T> = () => WriteOutcome<T>;

/** Queues writes and commits them together; see {@link createGroupCommitter}. */
export interface GroupCommitter {
  /** Queue `op`; settles after the transaction that ran it has committed (or failed). */
  submit<T>(op: WriteOp<T>): Promise<T>;
  /** Commit everything queued right now (e.g. before closing the log). */
  drain(): void;
}

interface Pending {
  op: WriteOp<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * Group commit over a synchronous {@link RevisionLog}. The first write of a
 * batch schedules a flush on the next event-loop turn (`setImmediate`), so
 * writes arriving in the same turn share one transaction — one fsync instead
 * of one each. Inside it the ops run in queue order, each seeing the effects
 * of the ones before, so revisions and compare-and-swap outcomes are exactly
 * those of one transaction per write. Promises settle and events are
 * published (in revision order) only after the commit; an error thrown by the
 * log (not an op's refusal) rolls back and fails every write of the batch.
 */
export function createGroupCommitter(log: RevisionLog, publish: (batch: RevisionBatch) => void, maxBatch = 256): GroupCommitter {
  const queue: Pending[] = [];
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  }

  function flush(): void {
    const batch = queue.splice(0, Math.max(1, maxBatch));
    if (batch.length === 0) return;
    if (queue.length > 0) schedule(); // the rest after I/O had a turn
    let outcomes: WriteOutcome<unknown>[];
    try {
      outcomes = log.transaction(() => batch.map((p) => p.op()));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const o of outcomes) if ('value' in o && o.event) publish(o.event);
    outcomes.forEach((o, i) => ('error' in o ? batch[i]!.reject(o.error) : batch[i]!.resolve(o.value)));
  }

  return {
    submit<T>(op: WriteOp<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    drain() {
      while (queue.length > 0) flush();
    },
  };
}
