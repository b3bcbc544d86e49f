/**
 * Reading a Deployment's ReplicaSets, as upstream's deployment util: the new ReplicaSet is the
 * oldest whose template equals the Deployment's ignoring the pod-template-hash label, every
 * other one is old; counts over a set of ReplicaSets (spec replicas, status replicas, ready,
 * available); orders by creation time, by size and by revision.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { creationMs } from '../replicaset/pods.js';
import { canonicalJson } from './hash.js';
import { revisionOf } from './annotations.js';

/** The label (and selector key) that tells a Deployment's ReplicaSets apart. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

/** A template without the pod-template-hash label, in canonical form. */
function withoutHash(t: PodTemplateSpec | undefined): string {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return canonicalJson(copy);
}

/** Whether two templates are equal ignoring the pod-template-hash label (upstream's EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return withoutHash(a) === withoutHash(b);
}

/** Oldest first; equal times by name (upstream's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
}

/** Larger first; equal sizes older first (ReplicaSetsBySizeOlder). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => (specReplicas(a) === specReplicas(b) ? byCreation(a, b) : specReplicas(b) - specReplicas(a));

/** Larger first; equal sizes newer first (ReplicaSetsBySizeNewer). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => (specReplicas(a) === specReplicas(b) ? byCreation(b, a) : specReplicas(b) - specReplicas(a));

/** Lower revision first; equal revisions by creation (ReplicaSetsByRevision). */
export const byRevision = (a: ReplicaSet, b: ReplicaSet): number => {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreation(a, b);
};

/** The Deployment's new ReplicaSet among `all`, if any (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, all: ReplicaSet[]): ReplicaSet | undefined {
  return [...all].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one (FindOldReplicaSets' allOldRSs). */
export function findOldReplicaSets(d: Deployment, all: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, all);
  return all.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
}

/** Those with spec.replicas > 0 (FilterActiveReplicaSets). */
export const activeReplicaSets = (rss: Array<ReplicaSet | undefined>): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);

const sum = (rss: Array<ReplicaSet | undefined>, f: (rs: ReplicaSet) => number | undefined): number =>
  rss.reduce((n, rs) => n + (rs ? (f(rs) ?? 0) : 0), 0);

/** Σ spec.replicas. */
export const replicaCount = (rss: Array<ReplicaSet | undefined>): number => sum(rss, (rs) => rs.spec?.replicas);
/** Σ status.replicas. */
export const actualReplicaCount = (rss: Array<ReplicaSet | undefined>): number => sum(rss, (rs) => rs.status?.replicas);
/** Σ status.readyReplicas. */
export const readyReplicaCount = (rss: Array<ReplicaSet | undefined>): number => sum(rss, (rs) => rs.status?.readyReplicas);
/** Σ status.availableReplicas. */
export const availableReplicaCount = (rss: Array<ReplicaSet | undefined>): number => sum(rss, (rs) => rs.status?.availableReplicas);

/**
 * Pods the ReplicaSets may still have: Σ max(spec.replicas, status.replicas). A ReplicaSet
 * just scaled down keeps its pods until its controller deletes them, so counting spec alone
 * (as upstream does) lets a rollout briefly run more than replicas+maxSurge pods; the larger
 * of the two keeps the surge bound at every instant.
 */
export const podUpperBound = (rss: Array<ReplicaSet | undefined>): number => sum(rss, (rs) => Math.max(rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0));
