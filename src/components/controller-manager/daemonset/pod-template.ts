/**
 * The pods a DaemonSet creates (upstream daemon/util): the template plus the tolerations every
 * daemon pod carries, the `controller-revision-hash` and `pod-template-generation` labels, and a
 * required node affinity `metadata.name In [node]` that the scheduler binds by.
 */
import { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { Affinity, PodSpec, PodTemplateSpec, type Pod, type Toleration } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';

/** Label on daemon pods: the DaemonSet's template generation that made them. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The annotation upstream's API server keeps with the template generation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** Tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  const list = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (hostNetwork) list.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  return list;
}

/** A copy of the spec with the daemon tolerations added or replacing ones of the same key and effect. */
export function withDaemonTolerations(spec: PodSpec | undefined): PodSpec {
  const copy = PodSpec.fromPartial(spec ?? {});
  for (const t of daemonTolerations(copy.hostNetwork === true)) {
    const i = copy.tolerations.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0) copy.tolerations[i] = t;
    else copy.tolerations.push(t);
  }
  return copy;
}

/** The DaemonSet's template generation (from upstream's annotation, else metadata.generation). */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const annotated = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (annotated) return annotated;
  return ds.metadata?.generation !== undefined ? String(ds.metadata.generation) : undefined;
}

/** The template daemon pods are made from (CreatePodTemplate). */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = PodTemplateSpec.fromPartial(ds.spec?.template ?? {});
  template.spec = withDaemonTolerations(template.spec);
  const metadata = template.metadata ?? { labels: {}, annotations: {}, ownerReferences: [], finalizers: [], managedFields: [] };
  const generation = templateGeneration(ds);
  metadata.labels = { ...metadata.labels, ...(generation !== undefined ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}), [POD_REVISION_HASH_LABEL]: hash };
  template.metadata = metadata;
  return template;
}

/** The affinity with its required node terms replaced by `metadata.name In [nodeName]` (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function withNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const copy = Affinity.fromPartial(affinity ?? {});
  const terms = [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }];
  copy.nodeAffinity = { preferredDuringSchedulingIgnoredDuringExecution: [], ...copy.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } };
  return copy;
}

/** The node a daemon pod is bound to or meant for (GetTargetNodeName), or undefined. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/** The pod runs the DaemonSet's current template (IsPodUpdated). */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
  const hashMatches = hash.length > 0 && labels[POD_REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}
