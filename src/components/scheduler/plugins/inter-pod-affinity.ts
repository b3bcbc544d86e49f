/**
 * InterPodAffinity (required terms): the incoming pod's pod affinity must find matching pods in
 * the node's topology domain, its pod anti-affinity must find none there, and no pod already
 * counted may have a required anti-affinity term that matches the incoming pod in that domain.
 * A term selects pods in its namespaces (its own list, those matching its namespaceSelector,
 * or else the pod's own namespace) by its labelSelector, extended by matchLabelKeys /
 * mismatchLabelKeys from the owning pod's labels; a term without a labelSelector selects nothing.
 */
import type { Pod, PodAffinityTerm } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { LabelSelector } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { matchesLabelSelector } from '../../../client/index.js';
import { unresolvable, unschedulable, type CycleState, type FilterPlugin } from '../framework.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

function selectorOf(term: PodAffinityTerm, owner: Pod): LabelSelector | undefined {
  if (!term.labelSelector) return undefined;
  const labels = owner.metadata?.labels ?? {};
  const extra = [
    ...(term.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((k) => ({ key: k, operator: 'In', values: [labels[k]!] })),
    ...(term.mismatchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((k) => ({ key: k, operator: 'NotIn', values: [labels[k]!] })),
  ];
  return { matchLabels: term.labelSelector.matchLabels ?? {}, matchExpressions: [...(term.labelSelector.matchExpressions ?? []), ...extra] };
}

/** Whether `term`, owned by `owner`, selects `candidate`. */
export function termSelects(state: CycleState, term: PodAffinityTerm, owner: Pod, candidate: Pod): boolean {
  const selector = selectorOf(term, owner);
  if (!selector) return false;
  const ns = candidate.metadata?.namespace ?? '';
  const listed = term.namespaces ?? [];
  let inNamespace: boolean;
  if (listed.length === 0 && !term.namespaceSelector) inNamespace = ns === (owner.metadata?.namespace ?? '');
  else {
    inNamespace = listed.includes(ns);
    if (!inNamespace && term.namespaceSelector) {
      const nsLabels = state.namespaceLabels(ns);
      inNamespace = nsLabels !== undefined && matchesLabelSelector(term.namespaceSelector, nsLabels);
    }
  }
  return inNamespace && matchesLabelSelector(selector, candidate.metadata?.labels ?? {});
}

function requiredAffinity(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function requiredAntiAffinity(pod: Pod): PodAffinityTerm[] {
  return pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

const pair = (key: string, value: string): string => `${key}\u0000${value}`;

interface PreState {
  affinityTerms: PodAffinityTerm[];
  antiAffinityTerms: PodAffinityTerm[];
  /** Topology pairs holding pods the incoming pod's affinity terms select. */
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  /** Topology pairs where an existing pod's anti-affinity selects the incoming pod. */
  existingAntiAffinityCounts: Map<string, number>;
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  preFilter(state): PreState {
    const pod = state.pod;
    const pre: PreState = {
      affinityTerms: requiredAffinity(pod),
      antiAffinityTerms: requiredAntiAffinity(pod),
      affinityCounts: new Map(),
      antiAffinityCounts: new Map(),
      existingAntiAffinityCounts: new Map(),
    };
    for (const node of state.nodes) {
      for (const { pod: existing } of node.pods.values()) {
        for (const term of requiredAntiAffinity(existing)) {
          const value = node.label(term.topologyKey ?? '');
          if (value !== undefined && termSelects(state, term, existing, pod)) bump(pre.existingAntiAffinityCounts, pair(term.topologyKey ?? '', value));
        }
        for (const term of pre.affinityTerms) {
          const value = node.label(term.topologyKey ?? '');
          if (value !== undefined && termSelects(state, term, pod, existing)) bump(pre.affinityCounts, pair(term.topologyKey ?? '', value));
        }
        for (const term of pre.antiAffinityTerms) {
          const value = node.label(term.topologyKey ?? '');
          if (value !== undefined && termSelects(state, term, pod, existing)) bump(pre.antiAffinityCounts, pair(term.topologyKey ?? '', value));
        }
      }
    }
    return pre;
  },
  filter(state, node, preState) {
    const pre = preState as PreState;
    if (pre.affinityTerms.length > 0) {
      let podsExist = true;
      for (const term of pre.affinityTerms) {
        const value = node.label(term.topologyKey ?? '');
        if (value === undefined) return unresolvable('InterPodAffinity', ERR_REASON_AFFINITY);
        if ((pre.affinityCounts.get(pair(term.topologyKey ?? '', value)) ?? 0) <= 0) podsExist = false;
      }
      if (!podsExist) {
        const selfMatch = pre.affinityCounts.size === 0 && pre.affinityTerms.every((t) => termSelects(state, t, state.pod, state.pod));
        if (!selfMatch) return unresolvable('InterPodAffinity', ERR_REASON_AFFINITY);
      }
    }
    for (const term of pre.antiAffinityTerms) {
      const value = node.label(term.topologyKey ?? '');
      if (value !== undefined && (pre.antiAffinityCounts.get(pair(term.topologyKey ?? '', value)) ?? 0) > 0) {
        return unschedulable('InterPodAffinity', ERR_REASON_ANTI_AFFINITY);
      }
    }
    if (pre.existingAntiAffinityCounts.size > 0) {
      for (const [k, v] of Object.entries(node.node?.metadata?.labels ?? {})) {
        if ((pre.existingAntiAffinityCounts.get(pair(k, v)) ?? 0) > 0) return unschedulable('InterPodAffinity', ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return undefined;
  },
};
