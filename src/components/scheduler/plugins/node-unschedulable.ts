/** NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods tolerating the `node.kubernetes.io/unschedulable:NoSchedule` taint. */
import type { Taint } from '../../../../gen/k8s/io/api/core/v1/node.js';
import { unresolvable, type FilterPlugin } from '../framework.js';
import { toleratesTaint } from '../../common/tolerations.js';

export const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(state, node) {
    if (!node.node?.spec?.unschedulable) return undefined;
    if ((state.pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT))) return undefined;
    return unresolvable('NodeUnschedulable', ERR_REASON_UNSCHEDULABLE);
  },
};
