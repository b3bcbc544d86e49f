/**
 * One watch served from the cache: a queue of shared events bounded by bytes. A watcher
 * whose undelivered events would exceed its budget is ended (its stream closes normally);
 * the client watches again from the last resourceVersion it saw and the cache's window
 * replays the rest, so nothing is lost and nothing grows without bound. A watcher that
 * asked for progress also gets a BOOKMARK after what is queued when the cache moves on.
 */
import type { ObjectWatchEvent } from '../object-store.js';
import type { CacheEvent, EventObjects, WatchFilter } from './cache-event.js';

export class CacheWatcher {
  private readonly queue: { event: ObjectWatchEvent; size: number; progress?: true }[] = [];
  private progressRevision = 0;
  private queuedBytes = 0;
  /** The consumer waiting on an empty queue: handed the next item directly. */
  private waiting: { resolve: (ev: ObjectWatchEvent | undefined) => void; reject: (err: unknown) => void } | undefined;
  private ended = false;
  /** Set when the watcher was cut off for exceeding its budget. */
  overflowed = false;
  private failure: unknown;

  constructor(
    readonly prefix: string,
    private readonly filter: WatchFilter,
    private readonly objects: EventObjects,
    private readonly budgetBytes: number,
    /** Wants BOOKMARKs carrying the cache's revision. */
    readonly wantsProgress = false,
  ) {}

  /** True once the watch is over (its queue may still drain). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Bytes held for this watcher now. */
  get heldBytes(): number {
    return this.queuedBytes;
  }

  /** Offer a live event; filtered here, so a watcher only holds what it will send. */
  push(ev: CacheEvent): void {
    if (this.ended || !ev.key.startsWith(this.prefix)) return;
    const out = this.objects.eventFor(ev, this.filter);
    if (!out) return;
    if (this.queuedBytes + ev.size > this.budgetBytes && this.queue.length > 0) {
      this.overflowed = true;
      this.end();
      return;
    }
    this.queue.push({ event: out, size: ev.size });
    this.queuedBytes += ev.size;
    this.wakeUp();
  }

  /**
   * Every change up to `revision` this watch selects is queued already (the cache pushes
   * synchronously): a BOOKMARK at `revision` goes after them. One at the queue's tail is
   * raised in place rather than followed by another.
   */
  progress(revision: number): void {
    if (!this.wantsProgress || this.ended || revision <= this.progressRevision) return;
    this.progressRevision = revision;
    const event: ObjectWatchEvent = { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(revision) } } };
    const tail = this.queue[this.queue.length - 1];
    if (tail?.progress) tail.event = event;
    else this.queue.push({ event, size: 0, progress: true });
    this.wakeUp();
  }

  /** End the stream after what is queued (undefined) or with an error. */
  end(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (err !== undefined) this.failure = err;
    if (this.overflowed) {
      this.queue.length = 0;
      this.queuedBytes = 0;
    }
    this.wakeUp();
  }

  /** A consumer waiting on an empty queue takes what is now at its head (or the end). */
  private wakeUp(): void {
    const w = this.waiting;
    if (!w) return;
    const item = this.queue.shift();
    if (item) {
      this.waiting = undefined;
      this.queuedBytes -= item.size;
      w.resolve(item.event);
    } else if (this.ended) {
      this.waiting = undefined;
      if (this.failure !== undefined) w.reject(this.failure);
      else w.resolve(undefined);
    }
  }

  /**
   * The next event, or undefined when the watch is over. One promise per call: an event
   * already queued settles it at once, else the push that brings one settles it directly.
   */
  next(): Promise<ObjectWatchEvent | undefined> {
    const item = this.queue.shift();
    if (item) {
      this.queuedBytes -= item.size;
      return Promise.resolve(item.event);
    }
    if (this.ended) return this.failure !== undefined ? Promise.reject(this.failure) : Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}
