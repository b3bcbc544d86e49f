/**
 * A StatefulSet pod's stable identity (upstream stateful_set_utils.go): the name
 * `<set>-<ordinal>`, hostname = name, subdomain = the governing Service, the pod-name and
 * pod-index labels, and one claim `<template>-<set>-<ordinal>` per volumeClaimTemplate mounted
 * under the template's name.
 */
import type { StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { PersistentVolumeClaim, Pod, VolumeSource, type Volume } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';

/** Label naming the pod (so a Service can select one member). */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Label holding the pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** The parent set's name and the ordinal of a pod name, or undefined when it has none. */
export function parseOrdinal(podName: string | undefined): { parent: string; ordinal: number } | undefined {
  const m = ORDINAL_NAME.exec(podName ?? '');
  if (!m) return undefined;
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : undefined;
}

/** The pod's ordinal, or -1 when its name carries none. */
export function ordinalOf(pod: Pod): number {
  return parseOrdinal(pod.metadata?.name)?.ordinal ?? -1;
}

/** The pod's name says it belongs to `set`. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parseOrdinal(pod.metadata?.name)?.parent === set.metadata?.name;
}

/** `<set>-<ordinal>`. */
export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

/** The first ordinal (spec.ordinals.start, default 0). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The name of the claim made from template `templateName` for `ordinal`. */
export function claimName(set: StatefulSet, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata?.name ?? ''}-${ordinal}`;
}

/**
 * The claims a pod of `ordinal` needs, keyed by template name: the template with its name,
 * the set's namespace and the selector's matchLabels merged into its labels.
 */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const tmpl of set.spec?.volumeClaimTemplates ?? []) {
    const name = tmpl.metadata?.name ?? '';
    const claim = PersistentVolumeClaim.fromPartial(tmpl);
    claim.metadata = {
      ...claim.metadata!,
      name: claimName(set, name, ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...(claim.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    claim.status = undefined;
    claims.set(name, claim);
  }
  return claims;
}

/** The pod's volumes: one per claim template (bound to its claim), then the template's others. */
function volumesWithClaims(set: StatefulSet, ordinal: number, volumes: Volume[]): Volume[] {
  const claims = claimsFor(set, ordinal);
  const out: Volume[] = [];
  for (const [name, claim] of claims) {
    out.push({ name, volumeSource: VolumeSource.fromPartial({ persistentVolumeClaim: { claimName: claim.metadata?.name, readOnly: false } }) });
  }
  for (const v of volumes) if (!claims.has(v.name ?? '')) out.push(v);
  return out;
}

/**
 * A new pod for `ordinal` from `set`'s template (controller.GetPodFromTemplate plus
 * updateIdentity and updateStorage), labelled with the revision that made it.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revisionName: string, owner: OwnerReference): Pod {
  const template = set.spec?.template;
  const name = podName(set, ordinal);
  const pod = Pod.fromPartial({
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(template?.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [POD_REVISION_HASH_LABEL]: revisionName },
      annotations: { ...(template?.metadata?.annotations ?? {}) },
      finalizers: [...(template?.metadata?.finalizers ?? [])],
      ownerReferences: [owner],
    },
    spec: template?.spec ?? {},
  });
  const spec = pod.spec!;
  spec.hostname = name;
  spec.subdomain = set.spec?.serviceName || undefined;
  spec.volumes = volumesWithClaims(set, ordinal, spec.volumes);
  return pod;
}
