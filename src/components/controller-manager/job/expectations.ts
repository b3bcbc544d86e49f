/**
 * What the controller expects its informers to show next (upstream's ControllerExpectations and
 * finalizer-removal expectations): pod creations and deletions it asked for, and pods whose
 * tracking finalizer it removed. A Job is not managed again until the cache caught up, so a
 * slow watch cannot make it create pods twice. Expectations lapse after five minutes.
 */
const TTL_MS = 5 * 60_000;

interface Counts {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly counts = new Map<string, Counts>();
  private readonly finalizers = new Map<string, Set<string>>();

  /** Whether the cache has shown every creation and deletion asked for under `key`. */
  satisfied(key: string): boolean {
    const c = this.counts.get(key);
    if (!c) return true;
    return (c.add <= 0 && c.del <= 0) || Date.now() - c.at > TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.counts.set(key, { add: n, del: 0, at: Date.now() });
  }

  expectDeletions(key: string, n: number): void {
    this.counts.set(key, { add: 0, del: n, at: Date.now() });
  }

  creationObserved(key: string): void {
    const c = this.counts.get(key);
    if (c) c.add--;
  }

  deletionObserved(key: string): void {
    const c = this.counts.get(key);
    if (c) c.del--;
  }

  /** Pods whose finalizer removal was asked for and not yet seen. */
  expectedFinalizerRemovals(key: string): ReadonlySet<string> {
    return this.finalizers.get(key) ?? new Set();
  }

  expectFinalizersRemoved(key: string, uids: readonly string[]): void {
    const set = this.finalizers.get(key) ?? new Set<string>();
    for (const uid of uids) set.add(uid);
    this.finalizers.set(key, set);
  }

  finalizerRemovalObserved(key: string, uid: string): void {
    const set = this.finalizers.get(key);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.finalizers.delete(key);
  }

  /** Forgets everything about `key` (its Job is gone). */
  forget(key: string): void {
    this.counts.delete(key);
    this.finalizers.delete(key);
  }
}
