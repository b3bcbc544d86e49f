/**
 * What a DaemonSet's last pass wrote and the pod cache has not shown yet (upstream
 * ControllerExpectations, judged against the cache): pods it created must appear and pods it
 * deleted must disappear before the next pass acts, so a lagging cache never makes a second pod
 * for the same node. Expectations older than the TTL are dropped.
 */
const TTL_MS = 60_000;

interface Pending {
  created: Set<string>;
  deleted: Set<string>;
  since: number;
}

export class PodExpectations {
  private readonly pending = new Map<string, Pending>();

  private entry(key: string): Pending {
    let p = this.pending.get(key);
    if (!p) {
      p = { created: new Set(), deleted: new Set(), since: Date.now() };
      this.pending.set(key, p);
    }
    return p;
  }

  /** The pass for `key` created the pod `name`. */
  created(key: string, name: string): void {
    this.entry(key).created.add(name);
  }

  /** The pass for `key` deleted the pod `name`. */
  deleted(key: string, name: string): void {
    this.entry(key).deleted.add(name);
  }

  /**
   * Whether the cache (`state(name)`) shows every write of `key`; clears them when it does. A
   * deleted pod counts as seen once it is gone or terminating.
   */
  satisfied(key: string, state: (name: string) => 'absent' | 'live' | 'terminating'): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    for (const name of p.created) if (state(name) !== 'absent') p.created.delete(name);
    for (const name of p.deleted) if (state(name) !== 'live') p.deleted.delete(name);
    if ((p.created.size === 0 && p.deleted.size === 0) || Date.now() - p.since > TTL_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  /** Forgets `key` (its object is gone). */
  forget(key: string): void {
    this.pending.delete(key);
  }
}
