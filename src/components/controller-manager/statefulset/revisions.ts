/**
 * A StatefulSet's ControllerRevisions (upstream stateful_set_utils.go newRevision/applyRevision):
 * the snapshot replaces spec.template, the name is `<set>-<hash of the snapshot>`, the labels are
 * the template's plus `controller.kubernetes.io/hash`, the annotations are the set's.
 */
import { ControllerRevision, StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { hashRevisionData } from '../history/hash.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  controllerRevisionName,
  rawData,
  revisionData,
  templateOfRevision,
  templatePatch,
} from '../history/revisions.js';

/** The revision `set`'s current template would be, numbered `revision`. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number, owner: OwnerReference): ControllerRevision {
  const data = templatePatch(set.spec?.template);
  const hash = hashRevisionData(data, collisionCount);
  return ControllerRevision.fromPartial({
    metadata: {
      name: controllerRevisionName(set.metadata?.name ?? '', hash),
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      annotations: { ...(set.metadata?.annotations ?? {}) },
      ownerReferences: [owner],
    },
    data: rawData(data),
    revision,
  });
}

/** Both revisions snapshot the same template (history.EqualRevision). */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return revisionData(a) === revisionData(b);
}

/** `set` with its template replaced by the one `revision` snapshots. */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const template = templateOfRevision(revision);
  const copy = StatefulSet.fromPartial(set);
  if (template) copy.spec!.template = template;
  return copy;
}
