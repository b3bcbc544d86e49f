/**
 * Callers waiting for a cache to reach a revision: resolved in revision order as the
 * cache advances, or rejected by their own deadline.
 */
export class RevisionWaiters {
  private readonly waiting: { revision: number; resolve: () => void }[] = [];

  /** How many callers are waiting. */
  get size(): number {
    return this.waiting.length;
  }

  /** Resolves once `advance` reports `revision` or later; false when `timeoutMs` passed first. */
  wait(current: number, revision: number, timeoutMs: number): Promise<boolean> {
    if (current >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.waiting.push(entry);
    });
  }

  /** The cache is now at `revision`: release everyone waiting for it or less. */
  advance(revision: number): void {
    if (this.waiting.length === 0) return;
    const ready = this.waiting.filter((w) => w.revision <= revision);
    if (ready.length === 0) return;
    const rest = this.waiting.filter((w) => w.revision > revision);
    this.waiting.length = 0;
    this.waiting.push(...rest);
    for (const w of ready) w.resolve();
  }
}
