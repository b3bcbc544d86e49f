/**
 * What this controller last wrote per Service's EndpointSlices (upstream endpointSliceTracker),
 * so a sync on a cache that has not yet seen those writes is put off instead of acting on stale
 * slices (and, say, creating a second slice for the same endpoints).
 */
import type { EndpointSlice } from '../../../../gen/k8s/io/api/discovery/v1/generated.js';

/** generation written, or DELETED */
const DELETED = -1;

export class EndpointSliceTracker {
  private readonly expected = new Map<string, Map<string, number>>();

  private forService(key: string): Map<string, number> {
    let m = this.expected.get(key);
    if (!m) this.expected.set(key, (m = new Map()));
    return m;
  }

  wrote(serviceKey: string, slice: EndpointSlice): void {
    this.forService(serviceKey).set(slice.metadata?.name ?? '', slice.metadata?.generation ?? 0);
  }

  deleted(serviceKey: string, name: string): void {
    this.forService(serviceKey).set(name, DELETED);
  }

  /** Whether the cached slices lag behind what was written; entries the cache has caught up with are dropped. */
  stale(serviceKey: string, cached: EndpointSlice[]): boolean {
    const m = this.expected.get(serviceKey);
    if (!m) return false;
    const byName = new Map(cached.map((s) => [s.metadata?.name ?? '', s]));
    let stale = false;
    for (const [name, gen] of m) {
      const have = byName.get(name);
      const caughtUp = gen === DELETED ? !have : have !== undefined && (have.metadata?.generation ?? 0) >= gen;
      if (caughtUp) m.delete(name);
      else stale = true;
    }
    if (m.size === 0) this.expected.delete(serviceKey);
    return stale;
  }

  forget(serviceKey: string): void {
    this.expected.delete(serviceKey);
  }
}
