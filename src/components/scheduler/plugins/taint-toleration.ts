/**
 * TaintToleration: a node's NoSchedule and NoExecute taints keep away pods that do not tolerate
 * them; PreferNoSchedule taints only lower the node's score (fewer untolerated ones score higher).
 */
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { firstUntoleratedTaint, toleratesTaint } from '../../common/tolerations.js';

export const ERR_REASON_UNTOLERATED = 'node(s) had untolerated taint(s)';

export const taintTolerationFilter: FilterPlugin = {
  name: 'TaintToleration',
  filter(state, node) {
    const taint = firstUntoleratedTaint(node.node?.spec?.taints, state.pod.spec?.tolerations, ['NoSchedule', 'NoExecute']);
    return taint ? unresolvable('TaintToleration', ERR_REASON_UNTOLERATED) : undefined;
  },
};

export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(state, node) {
    const tolerations = (state.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let n = 0;
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint))) n++;
    }
    return n;
  },
  normalize(scores) {
    const maxCount = Math.max(0, ...scores);
    for (let i = 0; i < scores.length; i++) {
      scores[i] = maxCount === 0 ? MAX_NODE_SCORE : Math.trunc(MAX_NODE_SCORE - (MAX_NODE_SCORE * scores[i]!) / maxCount);
    }
  },
};
