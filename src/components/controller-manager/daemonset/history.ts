/**
 * A DaemonSet's ControllerRevisions (upstream daemon/update.go constructHistory, snapshot,
 * cleanupHistory): the current revision is `<ds>-<hash of the template>` with the template's labels
 * plus `controller-revision-hash` and the DaemonSet's annotations; an existing revision with the
 * same data is renumbered to the newest; a name clash with other data bumps status.collisionCount.
 */
import { ControllerRevision, type DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { StatusError, type Clientset } from '../../../client/index.js';
import { hashTemplate } from '../history/hash.js';
import {
  controllerRevisionName,
  nextRevision,
  POD_REVISION_HASH_LABEL,
  rawData,
  revisionData,
  revisionsToPrune,
  sortRevisions,
  templateJson,
  templatePatch,
} from '../history/revisions.js';

/** The DaemonSet's current template hash. */
export function currentHash(ds: DaemonSet): string {
  return hashTemplate(templateJson(ds.spec?.template), ds.status?.collisionCount);
}

/** Thrown after a hash collision bumped the collision count: the next pass retries with it. */
export class HashCollisionError extends Error {}

/**
 * The current revision (created or renumbered as needed) and the old ones.
 * The current revision's hash label is the hash daemon pods carry.
 */
export async function constructHistory(
  cs: Clientset,
  ds: DaemonSet,
  revisions: ControllerRevision[],
  owner: OwnerReference,
): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
  const data = templatePatch(ds.spec?.template);
  const sorted = sortRevisions(revisions);
  const matching = sorted.filter((r) => revisionData(r) === data);
  const old = sorted.filter((r) => revisionData(r) !== data);
  const next = nextRevision(old);
  let current: ControllerRevision;
  if (matching.length > 0) {
    // Keep the newest equal revision; duplicates are removed.
    current = matching[matching.length - 1]!;
    for (const dup of matching.slice(0, -1)) await deleteRevision(cs, dup);
    if ((current.revision ?? 0) < next) {
      current = await cs.appsV1.controllerRevisions.update({ ...current, revision: next });
    }
  } else {
    current = await snapshot(cs, ds, data, nextRevision(sorted), owner);
  }
  return { current, old };
}

async function snapshot(cs: Clientset, ds: DaemonSet, data: string, revision: number, owner: OwnerReference): Promise<ControllerRevision> {
  const hash = currentHash(ds);
  const name = controllerRevisionName(ds.metadata?.name ?? '', hash);
  const history = ControllerRevision.fromPartial({
    metadata: {
      name,
      namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [POD_REVISION_HASH_LABEL]: hash },
      annotations: { ...(ds.metadata?.annotations ?? {}) },
      ownerReferences: [owner],
    },
    data: rawData(data),
    revision,
  });
  try {
    return await cs.appsV1.controllerRevisions.create(history);
  } catch (err) {
    if (!(err instanceof StatusError) || err.reason !== 'AlreadyExists') throw err;
    const existing = await cs.appsV1.controllerRevisions.get(name, { namespace: ds.metadata?.namespace });
    if (revisionData(existing) === data && existing.metadata?.ownerReferences?.some((r) => r.uid === owner.uid)) return existing;
    // A different snapshot holds the name: count the collision, the next pass hashes differently.
    const collisionCount = (ds.status?.collisionCount ?? 0) + 1;
    await cs.appsV1.daemonSets.updateStatus({ ...ds, status: { ...(ds.status ?? { conditions: [] }), collisionCount } });
    throw new HashCollisionError(`found a hash collision for DaemonSet ${ds.metadata?.name ?? ''} - bumping collisionCount to ${collisionCount} to resolve it`);
  }
}

async function deleteRevision(cs: Clientset, r: ControllerRevision): Promise<void> {
  try {
    await cs.appsV1.controllerRevisions.delete(r.metadata?.name ?? '', { namespace: r.metadata?.namespace });
  } catch (err) {
    if (!(err instanceof StatusError) || err.reason !== 'NotFound') throw err;
  }
}

/** Deletes old revisions beyond spec.revisionHistoryLimit (default 10) that no live pod runs. */
export async function cleanupHistory(cs: Clientset, ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
  const live = new Set<string>();
  const liveHashes = new Set(pods.map((p) => p.metadata?.labels?.[POD_REVISION_HASH_LABEL] ?? ''));
  for (const r of old) if (liveHashes.has(r.metadata?.labels?.[POD_REVISION_HASH_LABEL] ?? '')) live.add(r.metadata?.name ?? '');
  for (const r of revisionsToPrune(old, live, ds.spec?.revisionHistoryLimit ?? 10)) await deleteRevision(cs, r);
}
