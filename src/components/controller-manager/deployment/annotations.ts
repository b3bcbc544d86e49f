/**
 * The annotations a Deployment keeps on its ReplicaSets, as upstream: `deployment.kubernetes.io/revision`
 * (the rollout number, one more than the highest old revision), `revision-history` (the
 * revisions a reused ReplicaSet had before, comma-separated, at most 2000 characters),
 * `desired-replicas` and `max-replicas` (spec.replicas and spec.replicas + maxSurge when it was
 * last scaled), and a copy of the Deployment's own annotations but those.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { desiredReplicas, maxSurge } from './fenceposts.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** The longest revision-history annotation kept (upstream's maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const SKIPPED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

/** A ReplicaSet's revision (0 when absent or not a number). */
export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } | undefined } | undefined): number {
  const v = rs?.metadata?.annotations?.[REVISION];
  if (v === undefined) return 0;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && String(n) === v.trim() ? n : 0;
}

/** The highest revision among `rss` (MaxRevision). */
export const maxRevision = (rss: ReplicaSet[]): number => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

/** Copies the Deployment's annotations (but the skipped ones) onto the ReplicaSet; whether any changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const target = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIPPED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas; whether either changed (SetReplicasAnnotations). */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

/** Whether the replicas annotations differ from these values (ReplicasAnnotationsNeedUpdate). */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** The desired-replicas annotation, if it is a number. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[DESIRED_REPLICAS];
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** The max-replicas annotation, if it is a number. */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[MAX_REPLICAS];
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Brings the new ReplicaSet's annotations up to date (SetNewReplicaSetAnnotations): the
 * Deployment's annotations, the revision raised to `newRevision` when lower (a reused
 * ReplicaSet appends its old revision to revision-history), and, for one about to be
 * created, the replicas annotations. Mutates `rs`; returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  rs.metadata ??= { labels: {}, annotations: {}, ownerReferences: [], finalizers: [], managedFields: [] } as never;
  let changed = copyDeploymentAnnotations(d, rs);
  const a = (rs.metadata!.annotations ??= {});
  const hadRevision = REVISION in a;
  const oldText = a[REVISION] ?? '';
  let old = 0;
  if (oldText !== '') {
    old = Number.parseInt(oldText, 10);
    if (!Number.isFinite(old) || String(old) !== oldText.trim()) return false;
  }
  if (old < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (hadRevision) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') a[REVISION_HISTORY] = oldText;
      else {
        let revisions = history.split(',');
        let total = history.length + oldText.length + 1;
        while (total > MAX_REVISION_HISTORY_CHARS && revisions.length > 0) {
          total -= revisions[0]!.length + 1;
          revisions = revisions.slice(1);
        }
        if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY] = [...revisions, oldText].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}
