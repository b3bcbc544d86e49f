/**
 * The taints the node lifecycle controller owns, as upstream's: NoSchedule taints mirroring
 * the node's conditions (Ready False → not-ready, Ready Unknown → unreachable, MemoryPressure,
 * DiskPressure, PIDPressure and NetworkUnavailable True → their own) and spec.unschedulable;
 * the NoExecute not-ready / unreachable taints (mutually exclusive) for taint-based eviction.
 * Taints are swapped with an update of the Node (conflicts retried against a fresh read),
 * each added taint stamped with timeAdded.
 */
import type { Node, Taint } from '../../../../gen/k8s/io/api/core/v1/node.js';
import { isConflict, toTime, type Clientset } from '../../../client/index.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Condition type → condition status → the NoSchedule taint key it calls for. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};

/** The taint keys whose NoSchedule taints this controller manages. */
const MANAGED_NO_SCHEDULE_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/** Whether the node has the taint (by key and effect). */
export const hasTaint = (node: Node, taint: Taint): boolean => (node.spec?.taints ?? []).some((t) => same(t, taint));

/** The NoSchedule taints the node's conditions and spec.unschedulable call for. */
export function wantedNoScheduleTaints(node: Node): Taint[] {
  const taints: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type ?? '']?.[c.status ?? ''];
    if (key) taints.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) taints.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return taints;
}

/** What to add and remove to bring the node's managed NoSchedule taints to `wanted`. */
export function noScheduleDiff(node: Node, wanted: readonly Taint[]): { add: Taint[]; remove: Taint[] } {
  const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE_KEYS.has(t.key ?? ''));
  return { add: wanted.filter((w) => !have.some((h) => same(h, w))), remove: have.filter((h) => !wanted.some((w) => same(h, w))) };
}

/** The node's taints with `remove` taken out and the missing of `add` put in, stamped `now`; undefined when nothing changes. */
export function swappedTaints(node: Node, add: readonly Taint[], remove: readonly Taint[], now: Date): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => !remove.some((r) => same(r, t)));
  const missing = add.filter((a) => !current.some((t) => same(a, t)));
  if (missing.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...missing.map((t) => ({ key: t.key, value: t.value, effect: t.effect, timeAdded: toTime(now) }))];
}

/**
 * Adds and removes taints on the named node: first against `cached`, then (after a
 * Conflict) against fresh reads, up to five tries. Resolves true when it wrote, false when
 * nothing needed changing.
 */
export async function swapNodeTaints(cs: Clientset, cached: Node, add: readonly Taint[], remove: readonly Taint[], now: Date, signal?: AbortSignal): Promise<boolean> {
  let node = cached;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) node = await cs.coreV1.nodes.get(cached.metadata?.name ?? '', { signal });
    const taints = swappedTaints(node, add, remove, now);
    if (!taints) return false;
    try {
      await cs.coreV1.nodes.update({ ...node, spec: { ...node.spec, taints } }, { signal });
      return true;
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
    }
  }
}
