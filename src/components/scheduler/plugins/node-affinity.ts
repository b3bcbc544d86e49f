/**
 * NodeAffinity: the pod's `nodeSelector` and its required node affinity must both match the
 * node's labels (and name, through matchFields); preferred terms add their weights to the score.
 */
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { matchesAnyTerm, matchesTerm } from '../../common/node-selector.js';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** Whether the node satisfies the pod's nodeSelector and required node affinity. */
export function podMatchesNode(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !matchesAnyTerm(required.nodeSelectorTerms, node)) return false;
  return true;
}

export const nodeAffinityFilter: FilterPlugin = {
  name: 'NodeAffinity',
  filter(state, node) {
    if (!node.node) return unresolvable('NodeAffinity', ERR_REASON_NODE_AFFINITY);
    return podMatchesNode(state.pod, node.node) ? undefined : unresolvable('NodeAffinity', ERR_REASON_NODE_AFFINITY);
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score(state, node) {
    let total = 0;
    for (const p of state.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (p.preference && (p.weight ?? 0) !== 0 && node.node && matchesTerm(p.preference, node.node)) total += p.weight ?? 0;
    }
    return total;
  },
  normalize(scores) {
    const maxScore = Math.max(0, ...scores);
    if (maxScore === 0) return;
    for (let i = 0; i < scores.length; i++) scores[i] = Math.trunc((MAX_NODE_SCORE * scores[i]!) / maxScore);
  },
};
