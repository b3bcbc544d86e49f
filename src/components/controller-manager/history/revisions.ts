/**
 * ControllerRevision bookkeeping shared by the StatefulSet and DaemonSet controllers
 * (upstream pkg/controller/history): the revision's snapshot is a strategic merge patch that
 * replaces spec.template, revisions are numbered from 1, and the newest old ones are kept.
 */
import { Buffer } from 'node:buffer';
import type { ControllerRevision } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { PodTemplateSpec as PodTemplateSpecFns } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { fromKubeJson, sortedJson, toKubeJson, type Json } from './kube-json.js';

/** Label upstream puts on a StatefulSet's ControllerRevisions: the revision's hash. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** Label on pods (and DaemonSet revisions) naming the revision that made them. */
export const POD_REVISION_HASH_LABEL = 'controller-revision-hash';

const POD_TEMPLATE_SPEC = 'k8s.io.api.core.v1.PodTemplateSpec';

/**
 * The revision data for a pod template: `{"spec":{"template":{"$patch":"replace",...}}}` with
 * keys sorted, as upstream's getPatch marshals it (and as `kubectl rollout undo` applies it).
 */
export function templatePatch(template: PodTemplateSpec | undefined): string {
  const json = toKubeJson(POD_TEMPLATE_SPEC, template ?? {});
  return sortedJson({ spec: { template: { ...json, $patch: 'replace' } } });
}

/** The pod template JSON a DaemonSet hashes. */
export function templateJson(template: PodTemplateSpec | undefined): string {
  return sortedJson(toKubeJson(POD_TEMPLATE_SPEC, template ?? {}));
}

/** The revision's data as text ('' when it has none). */
export function revisionData(revision: ControllerRevision): string {
  const raw = revision.data?.raw;
  return raw && raw.length > 0 ? Buffer.from(raw).toString('utf8') : '';
}

/** The pod template a revision snapshots, or undefined when its data holds none. */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec | undefined {
  const text = revisionData(revision);
  if (!text) return undefined;
  const patch = JSON.parse(text) as { spec?: { template?: { [key: string]: Json } } };
  const template = patch.spec?.template;
  if (!template) return undefined;
  return PodTemplateSpecFns.fromPartial(fromKubeJson(POD_TEMPLATE_SPEC, template));
}

/** The revision's data as RawExtension bytes. */
export function rawData(data: string): { raw: Buffer } {
  return { raw: Buffer.from(data, 'utf8') };
}

/** Revisions sorted by revision number, then name (history.SortControllerRevisions). */
export function sortRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** One more than the highest revision number (1 for none). */
export function nextRevision(revisions: ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) max = Math.max(max, r.revision ?? 0);
  return max + 1;
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters (history.ControllerRevisionName). */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * The old revisions to delete so that at most `limit` remain besides those `live` names
 * (the current and update revisions and any a pod still runs); oldest first.
 */
export function revisionsToPrune(sorted: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const old = sorted.filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = old.length - Math.max(0, limit);
  return excess > 0 ? old.slice(0, excess) : [];
}
