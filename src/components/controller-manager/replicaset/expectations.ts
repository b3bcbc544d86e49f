/**
 * Controller expectations, as upstream's UIDTrackingControllerExpectations: after a sync asks
 * for creations or deletions, the controller waits until its informer has seen them (or five
 * minutes pass) before it counts pods again, so a stale cache never causes a second round of
 * creations or deletions. Deletions are tracked by pod key, so seeing the same deletion twice
 * (an update with a deletion timestamp, then the delete) counts once.
 */

/** How long expectations hold before the controller syncs regardless (upstream's ExpectationsTimeout). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class ControllerExpectations {
  private readonly items = new Map<string, Expectation>();

  /** Expects `count` creations for the controller `key` (replacing what was expected). */
  expectCreations(key: string, count: number): void {
    this.items.set(key, { adds: count, deletes: new Set(), at: Date.now() });
  }

  /** Expects the deletion of these pod keys for the controller `key`. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.items.set(key, { adds: 0, deletes: new Set(podKeys), at: Date.now() });
  }

  /** One expected creation was seen (or will never happen). */
  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  /** The deletion of `podKey` was seen (or will never happen). */
  deletionObserved(key: string, podKey: string): void {
    this.items.get(key)?.deletes.delete(podKey);
  }

  /** Whether the controller may sync: nothing pending, or the expectations expired. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return Date.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Forgets the controller (it was deleted). */
  delete(key: string): void {
    this.items.delete(key);
  }
}
