/**
 * Preparing an update: everything between the updater's proposal and the object written,
 * with no storage involved. It runs inside the compare-and-swap, once per attempt, against
 * the object as stored at that attempt; neither argument is modified.
 */
import { conflict, OBJECT_MODIFIED } from '../../machinery/errors/index.js';
import { type KubeObject, cloneObject, jsonEqual } from '../../machinery/meta/object.js';
import type { WriteTarget } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';
import type { RequestVersion, Strategy } from '../rest/strategy.js';
import { acceptValidated, checkNameMatches, checkNamespaceMatches } from './checks.js';
import { carrySystemFieldsOnUpdate, validateObjectMetaUpdate } from './metadata.js';
import { qualified, stripType } from './type-meta.js';

/** What an update addresses. */
export interface UpdateRequest {
  namespace: string | undefined;
  name: string;
  /** The main resource, or a status-writing subresource. */
  target: WriteTarget;
  /** The group version the write was requested in, when not the storage version. */
  request?: RequestVersion;
}

/**
 * The object an update stores, from the updater's `proposed` object and the `current`
 * stored one. The proposal may not rename or move the object (400), and a resourceVersion
 * or uid it names must be the stored one (409 Conflict); system fields come from the
 * stored object, and no resourceVersion is written. Then the target's step: see
 * {@link updateStatus} and {@link updateMain}.
 */
export function beforeUpdate(def: ServedResource, req: UpdateRequest, proposed: KubeObject, current: KubeObject): KubeObject {
  const next = cloneObject(stripType(proposed));
  const meta = (next.metadata ??= {});
  const old = current.metadata ?? {};
  checkNameMatches(meta.name, req.name);
  meta.name = req.name;
  if (def.namespaced) {
    checkNamespaceMatches(meta.namespace, req.namespace);
    meta.namespace = req.namespace ?? old.namespace ?? '';
  } else delete meta.namespace;
  if (meta.resourceVersion && meta.resourceVersion !== old.resourceVersion) {
    throw conflict(qualified(def), req.name, OBJECT_MODIFIED);
  }
  if (meta.uid && meta.uid !== old.uid) {
    throw conflict(qualified(def), req.name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.uid ?? ''}`);
  }
  carrySystemFieldsOnUpdate(meta, old);
  delete meta.resourceVersion;
  if (req.target === 'system') return next;
  return req.target === 'main' ? updateMain(def, next, current, req.request) : updateStatus(def, statusStrategyOf(def, req.target), next, current);
}

/** The strategy of a status-writing target: `/status`, or another of the definition's status subresources. */
function statusStrategyOf(def: ServedResource, target: WriteTarget): Strategy | undefined {
  if (target === 'status') return def.statusStrategy;
  return def.statusSubresources?.[target];
}

/**
 * Through `/status` (or another status-writing subresource) only status changes: the stored
 * object with the proposal's status (and the managedFields the write recorded), prepared
 * and validated by that subresource's strategy.
 */
function updateStatus(def: ServedResource, strategy: Strategy | undefined, next: KubeObject, current: KubeObject): KubeObject {
  const merged: KubeObject = { ...cloneObject(stripType(current)), status: next.status };
  if (next.status === undefined) delete merged.status;
  delete merged.metadata?.resourceVersion;
  const managed = next.metadata?.managedFields;
  if (managed && merged.metadata) merged.metadata.managedFields = managed;
  strategy?.prepareForUpdate?.(merged, current);
  acceptValidated(def, merged, [...validateObjectMetaUpdate(def, merged, current), ...(strategy?.validateUpdate?.(merged, current) ?? [])]);
  return merged;
}

/**
 * The main resource: where the resource has a status subresource its status stays the
 * stored one; the strategy prepares and validates; a spec change bumps
 * metadata.generation where the resource tracks it.
 */
function updateMain(def: ServedResource, next: KubeObject, current: KubeObject, request: RequestVersion | undefined): KubeObject {
  if (def.statusStrategy) {
    if (current.status === undefined) delete next.status;
    else next.status = cloneObject(current.status);
  }
  const meta = (next.metadata ??= {});
  def.strategy.prepareForUpdate?.(next, current);
  if (def.tracksGeneration && !sameSpec(next, current)) meta.generation = (current.metadata?.generation ?? 0) + 1;
  acceptValidated(def, next, [...validateObjectMetaUpdate(def, next, current), ...(def.strategy.validateUpdate?.(next, current, request) ?? [])]);
  return next;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return jsonEqual(strip(a), strip(b));
}
