/**
 * The warnings for a namespace given a stricter enforce level (upstream's
 * EvaluatePodsInNamespace): the existing pods that would violate it, grouped by the reasons
 * they violate it for, each group named by its lexically first pod. One pod per controller is
 * checked first; at most 3000 pods are checked.
 */
import type { KubeObject } from '../../../machinery/meta/object.js';
import { evaluatePod } from './evaluate.js';
import { levelVersionString, type LevelVersion } from './levels.js';
import type { PodMetadata, PodSpec } from './pod-shape.js';

const MAX_PODS_TO_CHECK = 3000;

interface OwnerReference {
  uid?: string;
  controller?: boolean;
}

/** One pod per controller first, then the other replicas (upstream's prioritizePods). */
function prioritized(pods: readonly KubeObject[]): KubeObject[] {
  const first: KubeObject[] = [];
  const rest: KubeObject[] = [];
  const seen = new Set<string>();
  for (const pod of pods) {
    const owners = ((pod.metadata as { ownerReferences?: OwnerReference[] } | undefined)?.ownerReferences ?? []) as OwnerReference[];
    const uid = owners.find((o) => o.controller)?.uid;
    if (uid === undefined) first.push(pod);
    else if (seen.has(uid)) rest.push(pod);
    else {
      seen.add(uid);
      first.push(pod);
    }
  }
  return [...first, ...rest];
}

export function existingPodWarnings(namespace: string, enforce: LevelVersion, pods: readonly KubeObject[]): string[] {
  const all = prioritized(pods);
  const checked = all.slice(0, MAX_PODS_TO_CHECK);
  const groups = new Map<string, { first: string; count: number }>();
  for (const pod of checked) {
    const v = evaluatePod(enforce.level, pod.metadata as PodMetadata | undefined, pod.spec as PodSpec | undefined);
    if (!v) continue;
    const name = pod.metadata?.name ?? '';
    const g = groups.get(v.reasons);
    if (!g) groups.set(v.reasons, { first: name, count: 1 });
    else {
      g.count++;
      if (name < g.first) g.first = name;
    }
  }
  const warnings: string[] = [];
  if (checked.length < all.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${all.length} existing pods`);
  if (groups.size === 0) return warnings;
  warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
  const perPod = [...groups].map(([reasons, g]) => {
    const others = g.count - 1;
    const who = others === 0 ? g.first : others === 1 ? `${g.first} (and 1 other pod)` : `${g.first} (and ${others} other pods)`;
    return `${who}: ${reasons}`;
  });
  perPod.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...warnings, ...perPod];
}
