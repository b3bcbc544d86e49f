/**
 * Deleting: finalizers and graceful deletion keep an object (marked with a
 * deletionTimestamp) instead of removing it, and the object goes once nothing keeps it.
 * Every removal re-checks, inside the storage delete, that the object as stored right then
 * may go, so a finalizer added meanwhile is never skipped.
 */
import { conflict, OBJECT_MODIFIED, type Qualified } from '../../machinery/errors/index.js';
import { type KubeObject, cloneObject, jsonEqual, nowRfc3339 } from '../../machinery/meta/object.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectStore, Preconditions } from '../../storage/object-store.js';
import type { DeleteOutcome, DeleteQuery, WriteOptions } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';
import { interpretStorageError } from './storage-errors.js';
import { qualified, withType } from './type-meta.js';

/**
 * The delete verb on the object at `key`. The request's preconditions (uid,
 * resourceVersion) must hold (409). An object something keeps is marked for deletion,
 * once (deleting it again changes nothing), and is removed instead if its finalizers went
 * meanwhile; `gone` says whether it was removed. A dry run answers what would happen.
 */
export async function deleteObject(
  store: ObjectStore,
  def: ServedResource,
  key: string,
  name: string,
  dopts: DeleteQuery & WriteOptions,
): Promise<DeleteOutcome> {
  const q = qualified(def);
  const preconditions: Preconditions = {};
  if (dopts.preconditions?.uid) preconditions.uid = dopts.preconditions.uid;
  if (dopts.preconditions?.resourceVersion) preconditions.resourceVersion = dopts.preconditions.resourceVersion;
  try {
    const current = await store.get(key);
    checkPreconditions(q, name, current, preconditions);
    const keep = keepOnDelete(def, current);
    if (dopts.dryRun) return { object: withType(def, keep ?? current), gone: keep === undefined };
    if (keep) {
      if (jsonEqual(keep, current)) return { object: withType(def, current), gone: false };
      // Mark it for deletion; if its finalizers went meanwhile, remove it instead.
      let removable = false;
      const marked = await store.guaranteedUpdate(
        key,
        (cur) => {
          const again = keepOnDelete(def, cur);
          removable = again === undefined;
          return withType(def, again ?? cur);
        },
        { preconditions },
      );
      if (!removable) return { object: withType(def, marked), gone: false };
    }
    const last = await store.delete(key, { preconditions, validate: stillDeletable(def, name) });
    return { object: withType(def, last), gone: true };
  } catch (err) {
    throw interpretStorageError(err, q, name);
  }
}

/**
 * After an update: an object being deleted whose last finalizer the update removed goes
 * now. Someone else removing it first is fine.
 */
export async function removeIfFinalized(store: ObjectStore, def: ServedResource, key: string, name: string, updated: KubeObject): Promise<void> {
  if (!updated.metadata?.deletionTimestamp || keepOnDelete(def, updated)) return;
  const preconditions: Preconditions = {};
  if (updated.metadata.uid) preconditions.uid = updated.metadata.uid;
  try {
    await store.delete(key, { preconditions, validate: stillDeletable(def, name) });
  } catch (err) {
    if (isStorageError(err, 'KeyNotFound')) return;
    throw interpretStorageError(err, qualified(def), name);
  }
}

/** Refuses to remove an object that, as stored right now, must be kept (finalizers, graceful deletion). */
function stillDeletable(def: ServedResource, name: string) {
  return (cur: KubeObject): void => {
    if (keepOnDelete(def, cur)) throw conflict(qualified(def), name, OBJECT_MODIFIED);
  };
}

/** The object to keep (marked as deleting) instead of removing it, or undefined. */
function keepOnDelete(def: ServedResource, current: KubeObject): KubeObject | undefined {
  if (def.gracefulDelete) {
    const copy = cloneObject(current);
    if (def.gracefulDelete(copy)) return copy;
  }
  if (current.metadata?.finalizers?.length) {
    if (current.metadata.deletionTimestamp) return current;
    const marked = cloneObject(current);
    marked.metadata = { ...marked.metadata, deletionTimestamp: nowRfc3339(), deletionGracePeriodSeconds: 0 };
    return marked;
  }
  return undefined;
}

function checkPreconditions(q: Qualified, name: string, current: KubeObject, p: Preconditions): void {
  if (p.uid && p.uid !== current.metadata?.uid) {
    throw conflict(q, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`);
  }
  if (p.resourceVersion && p.resourceVersion !== current.metadata?.resourceVersion) {
    throw conflict(
      q,
      name,
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ''}`,
    );
  }
}
