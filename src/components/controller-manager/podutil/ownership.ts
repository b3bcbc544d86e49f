/**
 * Adopting and releasing owned objects (upstream ControllerRefManager): an object without a
 * controller that matches the owner's selector is adopted, an owned object that no longer
 * matches is released; objects controlled by someone else are left alone. Both are strategic
 * merge patches guarded by the object's uid, as upstream writes them.
 */
import type { LabelSelector, ObjectMeta, OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { matchesLabelSelector, StatusError } from '../../../client/index.js';

interface Owned {
  metadata?: ObjectMeta | undefined;
}

/** What claiming needs of a client: a strategic merge patch. */
interface Patcher {
  patch(name: string, type: 'strategic', patch: unknown, opts?: { namespace?: string }): Promise<unknown>;
}

/** The object's controller reference, if any. */
export function controllerOf(obj: Owned): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

function ignoreGone(err: unknown): void {
  if (err instanceof StatusError && (err.reason === 'NotFound' || err.reason === 'Invalid' || err.reason === 'Conflict')) return;
  throw err;
}

/**
 * The objects `owner` controls after adopting orphans that match `selector` (and `filter`) and
 * releasing owned ones that no longer do. `ownerRef` is the controller reference to set.
 */
export async function claimObjects<T extends Owned>(
  client: Patcher,
  owner: Owned,
  ownerRef: OwnerReference,
  selector: LabelSelector | undefined,
  objects: T[],
  filter: (obj: T) => boolean = () => true,
): Promise<T[]> {
  const claimed: T[] = [];
  const ownerUid = owner.metadata?.uid;
  const ownerDeleting = owner.metadata?.deletionTimestamp !== undefined;
  for (const obj of objects) {
    const ref = controllerOf(obj);
    const matches = matchesLabelSelector(selector, obj.metadata?.labels) && filter(obj);
    const name = obj.metadata?.name ?? '';
    const opts = { namespace: obj.metadata?.namespace };
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      const release = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata?.uid } };
      await client.patch(name, 'strategic', release, opts).catch(ignoreGone);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata?.deletionTimestamp !== undefined) continue;
    const adopt = {
      metadata: {
        ownerReferences: [
          { apiVersion: ownerRef.apiVersion, kind: ownerRef.kind, name: ownerRef.name, uid: ownerRef.uid, controller: true, blockOwnerDeletion: true },
        ],
        uid: obj.metadata?.uid,
      },
    };
    try {
      const adopted = (await client.patch(name, 'strategic', adopt, opts)) as T;
      claimed.push(adopted);
    } catch (err) {
      ignoreGone(err);
    }
  }
  return claimed;
}
