import { StorageError } from '../errors.js';
import type { KvEvent } from '../kv.js';

/** Events of one revision. */
export interface RevisionBatch {
  revision: number;
  events: KvEvent[];
}

/** A live subscription: a bounded queue of batches for one key range. */
export interface Subscription {
  /** Next batch; undefined when closed or aborted. Throws Unavailable after an overflow. */
  next(): Promise<RevisionBatch | undefined>;
  /** Queue an empty batch at `revision` behind everything already queued (a progress notice). */
  pushProgress(revision: number): void;
  close(): void;
}

/** Fan-out of committed writes to in-process watchers, fed synchronously after commit. */
export interface Broadcaster {
  publish(batch: RevisionBatch): void;
  subscribe(start: string, end: string | undefined, signal: AbortSignal): Subscription;
  /** End every subscription (backend closing). */
  closeAll(): void;
}

/** Create a broadcaster whose subscribers may lag at most `maxBuffered` batches. */
export function createBroadcaster(maxBuffered = 10_000): Broadcaster {
  const subs = new Set<Sub>();

  class Sub implements Subscription {
    queue: RevisionBatch[] = [];
    overflowed = false;
    closed = false;
    wake: (() => void) | undefined;
    private readonly onAbort = () => this.close();

    constructor(readonly start: string, readonly end: string | undefined, readonly signal: AbortSignal) {
      if (signal.aborted) this.closed = true;
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }

    matches(key: string): boolean {
      return key >= this.start && (this.end === undefined || key < this.end);
    }

    push(batch: RevisionBatch): void {
      if (this.closed || this.overflowed) return;
      const events = batch.events.filter((e) => this.matches(e.kv.key));
      if (events.length === 0) return;
      if (this.queue.length >= maxBuffered) {
        this.overflowed = true;
        this.queue = [];
      } else {
        this.queue.push({ revision: batch.revision, events });
      }
      this.wakeUp();
    }

    pushProgress(revision: number): void {
      if (this.closed || this.overflowed) return;
      const last = this.queue[this.queue.length - 1];
      if (last && last.events.length === 0) last.revision = Math.max(last.revision, revision);
      else this.queue.push({ revision, events: [] });
      this.wakeUp();
    }

    async next(): Promise<RevisionBatch | undefined> {
      for (;;) {
        if (this.closed) return undefined;
        if (this.overflowed) {
          this.close();
          throw new StorageError('Unavailable', 'watcher fell too far behind and was closed; re-list and watch again');
        }
        const batch = this.queue.shift();
        if (batch) return batch;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }

    wakeUp(): void {
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }

    close(): void {
      this.closed = true;
      this.queue = [];
      subs.delete(this);
      this.signal.removeEventListener('abort', this.onAbort);
      this.wakeUp();
    }
  }

  return {
    publish(batch) {
      for (const s of subs) s.push(batch);
    },
    subscribe(start, end, signal) {
      const s = new Sub(start, end, signal);
      if (!s.closed) subs.add(s);
      return s;
    },
    closeAll() {
      for (const s of [...subs]) s.close();
    },
  };
}
