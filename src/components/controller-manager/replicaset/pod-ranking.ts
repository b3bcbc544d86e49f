/**
 * Which pods a replica controller deletes first when it has too many, as upstream's
 * ActivePodsWithRanks: unscheduled before scheduled; Pending before Unknown before Running;
 * not Ready before Ready; lower `controller.kubernetes.io/pod-deletion-cost` first; pods
 * doubled up on a node (with pods of related controllers) before lone ones; Ready for less
 * time first (compared on a logarithmic scale, as LogarithmicScaleDown); more container
 * restarts first; newer before older (also logarithmic); then by uid.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { creationMs, isPodReady, podReadyTime } from './pods.js';

/** The annotation that orders pods for deletion (lower cost goes first). */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface Ranked {
  pod: Pod;
  /** How many related active pods share this pod's node. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST];
  const n = raw === undefined ? 0 : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** floor(log2(ns since t)), or -1 for a time not in the past (upstream's logarithmicRankDiff parts). */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Upstream's afterOrZero on two times in ms (0 = unset): whether the first goes first. */
function afterOrZero(a: number, b: number): boolean {
  if (a === 0 || b === 0) return a === 0;
  return a > b;
}

/** Negative when `a` should be deleted before `b`. */
function compare(a: Ranked, b: Ranked, now: number): number {
  const an = a.pod.spec?.nodeName ?? '';
  const bn = b.pod.spec?.nodeName ?? '';
  if (an !== bn && (an === '' || bn === '')) return an === '' ? -1 : 1;
  const ap = PHASE_ORDINAL[a.pod.status?.phase ?? ''] ?? 0;
  const bp = PHASE_ORDINAL[b.pod.status?.phase ?? ''] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a.pod);
  const br = isPodReady(b.pod);
  if (ar !== br) return ar ? 1 : -1;
  const ac = deletionCost(a.pod);
  const bc = deletionCost(b.pod);
  if (ac !== bc) return ac - bc;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ar && br) {
    const at = podReadyTime(a.pod)?.getTime() ?? 0;
    const bt = podReadyTime(b.pod)?.getTime() ?? 0;
    if (at !== bt) {
      if (at === 0 || bt === 0) return afterOrZero(at, bt) ? -1 : 1;
      const diff = logRank(at, now) - logRank(bt, now);
      if (diff === 0) return (a.pod.metadata?.uid ?? '') < (b.pod.metadata?.uid ?? '') ? -1 : 1;
      return diff;
    }
  }
  const arr = maxRestarts(a.pod);
  const brr = maxRestarts(b.pod);
  if (arr !== brr) return brr - arr;
  const am = creationMs(a.pod);
  const bm = creationMs(b.pod);
  if (am !== bm) {
    if (am === 0 || bm === 0) return afterOrZero(am, bm) ? -1 : 1;
    const diff = logRank(am, now) - logRank(bm, now);
    if (diff === 0) return (a.pod.metadata?.uid ?? '') < (b.pod.metadata?.uid ?? '') ? -1 : 1;
    return diff;
  }
  return 0;
}

/**
 * The `count` pods to delete from `pods`: ranked as above, where a pod's rank is how many of
 * `relatedPods` (active pods of controllers with the same owner, this one's included) run on
 * its node.
 */
export function podsToDelete(pods: Pod[], relatedPods: Pod[], count: number, now = Date.now()): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const perNode = new Map<string, number>();
  for (const p of relatedPods) {
    const node = p.spec?.nodeName ?? '';
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked: Ranked[] = pods.map((pod) => ({ pod, rank: pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0 }));
  ranked.sort((a, b) => compare(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}

