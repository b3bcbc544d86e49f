/**
 * Finding (or creating) the Deployment's new ReplicaSet and keeping revisions in step, as
 * upstream's getNewReplicaSet. An existing new ReplicaSet gets the Deployment's annotations,
 * a revision above every old one (a reused ReplicaSet, as after `kubectl rollout undo`, so
 * moves to the top and records its old revision in revision-history) and minReadySeconds; the
 * Deployment takes its revision. A missing one is created as `<deployment>-<pod-template-hash>`
 * with the hash as a template label and selector term, sized as the strategy allows; a name
 * taken by a ReplicaSet with another template bumps status.collisionCount so the next try
 * hashes differently.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { ownerReferenceTo } from '../../../client/index.js';
import { errorText } from '../replicaset/pod-control.js';
import { reasonOf } from '../replicaset/errors.js';
import { maxRevision, REVISION, setNewReplicaSetAnnotations } from './annotations.js';
import { getCondition, newCondition, PROGRESSING, REASON, setCondition } from './conditions.js';
import { recordEvent, type Deps } from './deps.js';
import { computeHash } from './hash.js';
import { equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, POD_TEMPLATE_HASH } from './replica-sets.js';
import { newRSNewReplicas } from './rolling-math.js';
import { hasProgressDeadline } from './status.js';
import { setDeploymentRevision, writeDeployment } from './write.js';

export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** The new and old ReplicaSets; creates the new one when `create` and it is missing (getAllReplicaSetsAndSyncRevision). */
export async function getAllReplicaSetsAndSyncRevision(deps: Deps, d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<ReplicaSetsOfDeployment> {
  const oldRSs = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, d, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(deps: Deps, d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      copy.spec!.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      const updated = await deps.cs.appsV1.replicaSets.update(copy, { namespace: copy.metadata?.namespace });
      // Later steps of this sync read the list: let them see this write rather than conflict with it.
      const i = rsList.indexOf(existing);
      if (i >= 0) rsList[i] = updated;
      return updated;
    }
    const revisionChanged = setDeploymentRevision(d, copy.metadata?.annotations?.[REVISION] ?? '');
    let statusChanged = false;
    d.status ??= { conditions: [] };
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      setCondition(d.status, newCondition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata?.name ?? ''}"`));
      statusChanged = true;
    }
    if (revisionChanged || statusChanged) await writeDeployment(deps, d, revisionChanged);
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  template.metadata ??= { labels: {}, annotations: {}, ownerReferences: [], finalizers: [], managedFields: [] } as never;
  template.metadata!.labels = { ...(template.metadata!.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const selector = structuredClone(d.spec?.selector ?? { matchLabels: {}, matchExpressions: [] });
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const name = `${d.metadata?.name ?? ''}-${hash}`;
  const ns = d.metadata?.namespace ?? '';
  const rs: ReplicaSet = {
    metadata: {
      name,
      namespace: ns,
      ownerReferences: [ownerReferenceTo(deps.cs.appsV1.deployments.facts, d)],
      labels: { ...template.metadata!.labels },
      annotations: {},
      finalizers: [],
      managedFields: [],
    } as never,
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  rs.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await deps.cs.appsV1.replicaSets.create(rs, { namespace: ns });
  } catch (err) {
    if (reasonOf(err) === 'AlreadyExists') {
      const found = deps.replicaSets.get(ns, name) ?? (await deps.cs.appsV1.replicaSets.get(name, { namespace: ns }));
      const ref = found.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        created = found;
        alreadyExists = true;
      } else {
        // Another template holds the name: hash again with a higher collisionCount.
        d.status ??= { conditions: [] };
        const next = { ...d.status, collisionCount: (d.status.collisionCount ?? 0) + 1 };
        await deps.cs.appsV1.deployments.updateStatus({ ...d, status: next }, { namespace: ns });
        throw err;
      }
    } else if (String((err as Error).message ?? '').includes('because it is being terminated')) {
      throw err;
    } else {
      const msg = `Failed to create new replica set "${name}": ${errorText(err)}`;
      if (hasProgressDeadline(d)) {
        d.status ??= { conditions: [] };
        setCondition(d.status, newCondition(PROGRESSING, 'False', REASON.failedRSCreate, msg));
        await deps.cs.appsV1.deployments.updateStatus(d, { namespace: ns }).catch(() => undefined);
      }
      recordEvent(deps, d, 'Warning', REASON.failedRSCreate, msg);
      throw err;
    }
  }
  if (!alreadyExists && replicas > 0) {
    recordEvent(deps, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} from 0 to ${replicas}`);
  }
  const revisionChanged = setDeploymentRevision(d, String(newRevision));
  d.status ??= { conditions: [] };
  let statusChanged = false;
  if (!alreadyExists && hasProgressDeadline(d)) {
    setCondition(d.status, newCondition(PROGRESSING, 'True', REASON.newRS, `Created new replica set "${created.metadata?.name ?? ''}"`));
    statusChanged = true;
  }
  if (revisionChanged || statusChanged) await writeDeployment(deps, d, revisionChanged);
  return created;
}
