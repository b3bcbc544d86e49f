/**
 * Deleting, as upstream's generic registry does: the request's DeleteOptions are checked,
 * then the delete is planned against the stored object (delete-plan.ts: graceful deletion,
 * the garbage collector's `orphan` / `foregroundDeletion` finalizers, other finalizers).
 * An object something keeps is marked (deletionTimestamp) by a compare-and-swap update;
 * anything else is removed. Every removal re-checks, inside the storage delete, that the
 * object as stored right then may go, so a finalizer added meanwhile is never skipped.
 */
import { ApiError, conflict, invalid, OBJECT_MODIFIED, type Qualified } from '../../machinery/errors/index.js';
import { type KubeObject, jsonEqual } from '../../machinery/meta/object.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectStore, Preconditions } from '../../storage/object-store.js';
import type { DeleteOutcome, DeleteQuery, WriteOptions } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';
import { defaultPolicy, mustKeep, planDelete, type DeletePlan } from './delete-plan.js';
import { interpretStorageError } from './storage-errors.js';
import { qualified, withType } from './type-meta.js';

const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

/** Upstream's ValidateDeleteOptions: 422 on DeleteOptions.meta.k8s.io. */
export function validateDeleteOptions(dopts: DeleteQuery): void {
  const causes = [];
  if (dopts.orphanDependents !== undefined && dopts.propagationPolicy !== undefined) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'propagationPolicy',
      message: `Invalid value: "${dopts.propagationPolicy}": orphanDependents and deletionPropagation cannot be both set`,
    });
  }
  if (dopts.propagationPolicy !== undefined && !PROPAGATION_POLICIES.includes(dopts.propagationPolicy)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'propagationPolicy',
      message: `Unsupported value: "${dopts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    });
  }
  if (causes.length) throw invalid('DeleteOptions', 'meta.k8s.io', '', causes);
}

/**
 * The delete verb on the object at `key`. The request's preconditions (uid,
 * resourceVersion) must hold (409). An object something keeps is marked for deletion and
 * stays (`gone: false`); deleting it again changes nothing unless it shortens a grace
 * period. A dry run answers what would happen and writes nothing. `admit` (validating
 * admission) sees the stored object once the request's own checks passed.
 */
export async function deleteObject(
  store: ObjectStore,
  def: ServedResource,
  key: string,
  name: string,
  dopts: DeleteQuery & WriteOptions,
  admit?: (current: KubeObject) => Promise<void>,
): Promise<DeleteOutcome> {
  const q = qualified(def);
  def.admitDelete?.(name);
  const preconditions: Preconditions = {};
  if (dopts.preconditions?.uid) preconditions.uid = dopts.preconditions.uid;
  if (dopts.preconditions?.resourceVersion) preconditions.resourceVersion = dopts.preconditions.resourceVersion;
  const warnings = deleteWarnings(def, dopts);
  const outcome = (o: DeleteOutcome): DeleteOutcome => (warnings.length ? { ...o, warnings } : o);
  try {
    const current = await store.get(key);
    validateDeleteOptions(dopts);
    checkPreconditions(def, name, current, preconditions);
    await admit?.(current);
    const plan = planDelete(def, current, dopts, Date.now());
    if (plan.action === 'pending') return outcome({ object: withType(def, current), gone: false });
    if (plan.action === 'update') {
      if (dopts.dryRun) return outcome({ object: withType(def, plan.object), gone: !plan.keep });
      const updated = await markForDeletion(store, def, key, current, plan, dopts, preconditions);
      if (updated.pending) return outcome({ object: withType(def, updated.object), gone: false });
      if (updated.keep) return outcome({ object: withType(def, updated.object), gone: false });
      if (preconditions.resourceVersion) preconditions.resourceVersion = updated.object.metadata?.resourceVersion ?? '';
    } else if (dopts.dryRun) {
      return outcome({ object: withType(def, current), gone: true });
    }
    const last = await store.delete(key, { preconditions, validate: stillDeletable(def, name) });
    return outcome({ object: withType(def, last), gone: true });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw interpretStorageError(err, q, name);
  }
}

/** Aborts the marking update: nothing to write. */
class NothingToWrite extends Error {
  constructor(readonly pending: boolean) {
    super(pending ? 'already deleting' : 'delete now');
  }
}

/**
 * Writes the planned marking in a compare-and-swap loop, re-planning against each stored
 * state: the result is kept, pending (an earlier delete already covers it) or to be
 * removed now (a zero grace period, or nothing keeps it any more).
 */
async function markForDeletion(
  store: ObjectStore,
  def: ServedResource,
  key: string,
  current: KubeObject,
  first: Extract<DeletePlan, { action: 'update' }>,
  dopts: DeleteQuery,
  preconditions: Preconditions,
): Promise<{ object: KubeObject; keep: boolean; pending: boolean }> {
  if (jsonEqual(first.object, current)) return { object: current, keep: first.keep, pending: false };
  let keep = first.keep;
  let latest = current;
  try {
    const object = await store.guaranteedUpdate(
      key,
      (cur) => {
        latest = cur;
        const plan = cur === current ? first : planDelete(def, cur, dopts, Date.now());
        if (plan.action !== 'update') throw new NothingToWrite(plan.action === 'pending');
        keep = plan.keep;
        return withType(def, plan.object);
      },
      { preconditions },
    );
    return { object, keep, pending: false };
  } catch (err) {
    if (err instanceof NothingToWrite) return { object: latest, keep: err.pending, pending: err.pending };
    throw err;
  }
}

/**
 * After an update: an object being deleted whose last finalizer the update removed goes
 * now, unless a grace period still runs. Someone else removing it first is fine. Returns
 * the removed object's last state when this call removed it.
 */
export async function removeIfFinalized(
  store: ObjectStore,
  def: ServedResource,
  key: string,
  name: string,
  updated: KubeObject,
): Promise<KubeObject | undefined> {
  if (!updated.metadata?.deletionTimestamp || mustKeep(def, updated)) return undefined;
  const preconditions: Preconditions = {};
  if (updated.metadata.uid) preconditions.uid = updated.metadata.uid;
  try {
    return await store.delete(key, { preconditions, validate: stillDeletable(def, name) });
  } catch (err) {
    if (isStorageError(err, 'KeyNotFound') || err instanceof ApiError) return undefined;
    throw interpretStorageError(err, qualified(def), name);
  }
}

/** Refuses to remove an object that, as stored right now, must be kept (finalizers, a running grace period). */
function stillDeletable(def: ServedResource, name: string) {
  return (cur: KubeObject): void => {
    if (mustKeep(def, cur)) throw conflict(qualified(def), name, OBJECT_MODIFIED);
  };
}

/** Upstream checks preconditions against the object first, naming the kind. */
function checkPreconditions(def: ServedResource, name: string, current: KubeObject, p: Preconditions): void {
  const q: Qualified = { resource: def.kind, group: def.group };
  const meta = current.metadata ?? {};
  if (p.uid && p.uid !== meta.uid) {
    throw conflict(q, name, `the UID in the precondition (${p.uid}) does not match the UID in record (${meta.uid ?? ''}). The object might have been deleted and then recreated`);
  }
  if (p.resourceVersion && p.resourceVersion !== meta.resourceVersion) {
    throw conflict(
      q,
      name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion ?? ''}). The object might have been modified`,
    );
  }
}

/** The warning a kind gives when the request leaves dependents to an orphaning default. */
function deleteWarnings(def: ServedResource, dopts: DeleteQuery): string[] {
  if (!def.orphanByDefaultWarning || dopts.propagationPolicy !== undefined || dopts.orphanDependents !== undefined) return [];
  return defaultPolicy(def, dopts) === 'OrphanDependents' ? [def.orphanByDefaultWarning] : [];
}
