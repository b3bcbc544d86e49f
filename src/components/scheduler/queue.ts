/**
 * The scheduling queue, as upstream's PriorityQueue: an active queue ordered by pod priority
 * (higher first) then by when the pod was queued; a backoff queue of pods waiting out their
 * per-pod backoff (1s doubling to 10s by attempts); and the unschedulable pods, which wait until
 * a cluster event (a node added or changed, a pod's resources freed) may make them fit, or at
 * most `maxUnschedulableMs`. A pod that failed while such an event happened during its cycle goes
 * to the backoff queue instead, so the event is not missed.
 */

export interface QueuedPod {
  key: string;
  priority: number;
  /** When it entered the active queue last (ordering among equal priorities). */
  timestamp: number;
  attempts: number;
  /** When its last attempt finished; its backoff counts from here. */
  lastFailure: number;
  /** The scheduling cycle that popped it last. */
  cycle: number;
}

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
  now?: () => number;
}

export class SchedulingQueue {
  private active: QueuedPod[] = [];
  private readonly backoff = new Map<string, { pod: QueuedPod; timer: NodeJS.Timeout }>();
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Set<string>();
  private waiters: ((p: QueuedPod | undefined) => void)[] = [];
  private closed = false;
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;
  private readonly flushTimer: NodeJS.Timeout;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => this.flushUnschedulableLeftover(), Math.min(30_000, this.maxUnschedulableMs));
    this.flushTimer.unref();
  }

  /** Queues a pod not seen before (already queued or being scheduled: only its priority is refreshed). */
  add(key: string, priority: number): void {
    if (this.closed) return;
    const queued = this.find(key);
    if (queued) {
      queued.priority = priority;
      return;
    }
    if (this.inFlight.has(key)) return;
    this.pushActive({ key, priority, timestamp: this.now(), attempts: 0, lastFailure: 0, cycle: -1 });
  }

  /** The pod changed in a way that may make it fit: an unschedulable one moves on (to backoff if still backing off). */
  update(key: string, priority: number): void {
    const p = this.unschedulable.get(key);
    if (p) {
      p.priority = priority;
      this.unschedulable.delete(key);
      this.moveOut(p);
      return;
    }
    this.add(key, priority);
  }

  /** Removes a pod from every queue (deleted, or bound by someone else). */
  delete(key: string): void {
    this.active = this.active.filter((p) => p.key !== key);
    const b = this.backoff.get(key);
    if (b) clearTimeout(b.timer);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** Waits for the next pod to schedule; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const p = this.active.shift();
    if (p) return Promise.resolve(this.started(p));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod's cycle ended with it bound or gone. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * Puts back a pod that did not fit: unschedulable (waiting for a cluster event), or — when one
   * happened during its cycle, or `retryable` (an error, not a fit failure) — into backoff.
   */
  requeueFailed(p: QueuedPod, retryable = false): void {
    this.inFlight.delete(p.key);
    if (this.closed || this.find(p.key)) return;
    p.attempts++;
    p.lastFailure = this.now();
    if (retryable || this.moveRequestCycle >= p.cycle) this.toBackoff(p);
    else this.unschedulable.set(p.key, p);
  }

  /** A cluster event that may make unschedulable pods fit: all of them move on. */
  moveAllToActiveOrBackoff(): void {
    const pods = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const p of pods) this.moveOut(p);
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Counts, for tests and logs. */
  sizes(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.length, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const b of this.backoff.values()) clearTimeout(b.timer);
    this.backoff.clear();
    this.active = [];
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private backoffDuration(p: QueuedPod): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < p.attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  private moveOut(p: QueuedPod): void {
    if (p.attempts > 0 && p.lastFailure + this.backoffDuration(p) > this.now()) this.toBackoff(p);
    else this.pushActive(p);
  }

  private toBackoff(p: QueuedPod): void {
    const wait = Math.max(0, p.lastFailure + this.backoffDuration(p) - this.now());
    const timer = setTimeout(() => {
      if (this.backoff.get(p.key)?.pod !== p) return;
      this.backoff.delete(p.key);
      this.pushActive(p);
    }, wait);
    timer.unref();
    this.backoff.set(p.key, { pod: p, timer });
  }

  private flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, p] of this.unschedulable) {
      if (now - p.lastFailure >= this.maxUnschedulableMs) {
        this.unschedulable.delete(key);
        this.moveOut(p);
      }
    }
  }

  private find(key: string): QueuedPod | undefined {
    return this.active.find((p) => p.key === key) ?? this.backoff.get(key)?.pod ?? this.unschedulable.get(key);
  }

  private started(p: QueuedPod): QueuedPod {
    p.cycle = ++this.schedulingCycle;
    this.inFlight.add(p.key);
    return p;
  }

  private pushActive(p: QueuedPod): void {
    if (this.closed) return;
    p.timestamp = this.now();
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.started(p));
      return;
    }
    let i = this.active.length;
    while (i > 0 && (this.active[i - 1]!.priority < p.priority)) i--;
    this.active.splice(i, 0, p);
  }
}
