/**
 * Finding a StatefulSet's current and update revisions (upstream getStatefulSetRevisions and
 * truncateHistory): the update revision is the set's template as a revision; an equal existing
 * revision is reused (renumbered to the newest when it is not the newest, which is how a rollback
 * reads), else a new one is created, bumping collisionCount on a name clash with other data.
 */
import type { ControllerRevision, StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { StatusError, type Clientset } from '../../../client/index.js';
import { nextRevision, revisionsToPrune, sortRevisions } from '../history/revisions.js';
import { equalRevision, newRevision } from './revisions.js';
import { podRevision } from './update.js';

export interface SetRevisions {
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  collisionCount: number;
}

/** Creates `revision`, retrying with a higher collision count when its name holds other data. */
async function createRevision(
  cs: Clientset,
  set: StatefulSet,
  revisionNumber: number,
  collisionCount: number,
  owner: OwnerReference,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  for (;;) {
    const revision = newRevision(set, revisionNumber, collisionCount, owner);
    try {
      return { revision: await cs.appsV1.controllerRevisions.create(revision), collisionCount };
    } catch (err) {
      if (!(err instanceof StatusError) || err.reason !== 'AlreadyExists') throw err;
      const existing = await cs.appsV1.controllerRevisions.get(revision.metadata?.name ?? '', { namespace: set.metadata?.namespace });
      if (equalRevision(existing, revision)) return { revision: existing, collisionCount };
      collisionCount += 1;
    }
  }
}

/** The set's current and update revisions, creating or renumbering the update revision as needed. */
export async function statefulSetRevisions(
  cs: Clientset,
  set: StatefulSet,
  revisions: ControllerRevision[],
  owner: OwnerReference,
): Promise<SetRevisions> {
  const sorted = sortRevisions(revisions);
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = nextRevision(sorted);
  const candidate = newRevision(set, next, collisionCount, owner);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  let updateRevision: ControllerRevision;
  const last = sorted[sorted.length - 1];
  const lastEqual = equal[equal.length - 1];
  if (last && lastEqual && equalRevision(last, lastEqual)) {
    updateRevision = last;
  } else if (lastEqual) {
    updateRevision = await cs.appsV1.controllerRevisions.update({ ...lastEqual, revision: next });
  } else {
    const created = await createRevision(cs, set, next, collisionCount, owner);
    updateRevision = created.revision;
    collisionCount = created.collisionCount;
  }
  const currentRevision = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? updateRevision;
  return { currentRevision, updateRevision, collisionCount };
}

/**
 * Deletes the oldest revisions beyond spec.revisionHistoryLimit (default 10), never one a live pod
 * or the status names.
 */
export async function truncateHistory(
  cs: Clientset,
  set: StatefulSet,
  revisions: ControllerRevision[],
  pods: Pod[],
  current: string,
  update: string,
): Promise<void> {
  const live = new Set([current, update, ...pods.map(podRevision)]);
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  for (const r of revisionsToPrune(sortRevisions(revisions), live, limit)) {
    try {
      await cs.appsV1.controllerRevisions.delete(r.metadata?.name ?? '', { namespace: r.metadata?.namespace });
    } catch (err) {
      if (!(err instanceof StatusError) || err.reason !== 'NotFound') throw err;
    }
  }
}
