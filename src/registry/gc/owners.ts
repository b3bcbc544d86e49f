/**
 * Owner references as the garbage collector reads them: which installed resource an
 * ownerReference names, and how a reference stands against the live owner.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ResourceStore } from '../rest/resource-store.js';
import { FOREGROUND_FINALIZER } from '../generic/delete-plan.js';

/** metadata.ownerReferences[*]. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The object's owner references (well-formed ones only). */
export function ownerReferences(obj: KubeObject): OwnerReference[] {
  const refs: unknown = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter((r): r is OwnerReference => !!r && typeof r === 'object' && typeof r.uid === 'string' && typeof r.name === 'string');
}

/** The storage store of the resource an ownerReference's apiVersion and kind name, if installed. */
export function ownerStore(stores: readonly ResourceStore[], ref: OwnerReference): ResourceStore | undefined {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const version = slash < 0 ? ref.apiVersion : ref.apiVersion.slice(slash + 1);
  return stores.find((s) => {
    const d = s.definition.definition;
    if (d.group !== group) return false;
    if (d.kind === ref.kind && d.versions.some((v) => v.version === version)) return true;
    return (d.aliases ?? []).some((a) => a.kind === ref.kind && a.versions.some((v) => v.version === version));
  });
}

/** How one reference stands (upstream's classifyReferences). */
export type ReferenceState =
  /** The owner exists with the referenced uid. */
  | 'solid'
  /** No such owner: missing, or another object under that name (uid mismatch). */
  | 'dangling'
  /** The owner is being deleted in the foreground and waits for its dependents. */
  | 'waiting'
  /** The kind is not served: the reference cannot be judged, so it counts as solid. */
  | 'unknown'
  /** A cluster-scoped dependent naming a namespaced owner: never valid. */
  | 'invalid';

/** Classifies `ref` of a dependent in `namespace` (undefined: cluster-scoped) by reading the owner. */
export async function classifyReference(stores: readonly ResourceStore[], ref: OwnerReference, namespace: string | undefined): Promise<ReferenceState> {
  const store = ownerStore(stores, ref);
  if (!store) return 'unknown';
  const namespaced = store.definition.namespaced;
  if (namespaced && !namespace) return 'invalid';
  let owner: KubeObject;
  try {
    owner = await store.get(namespaced ? namespace : undefined, ref.name);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return 'dangling';
    throw err;
  }
  if (owner.metadata?.uid !== ref.uid) return 'dangling';
  if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return 'waiting';
  return 'solid';
}
