/** create, update and patch. */
import { checkNameMatches } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { WriteOptions, WriteTarget } from '../../registry/rest/resource-store.js';
import type { ApiResult } from '../api-call.js';
import { decodeObject } from '../decode.js';
import { applyPatch } from '../patch/apply-patch.js';
import { isDryRun, type HandlerScope } from './context.js';

/** Write options (dryRun, fieldManager) from the call. */
export function writeOptions(scope: HandlerScope): WriteOptions {
  const o: WriteOptions = { dryRun: isDryRun(scope.call) };
  if (scope.call.options.fieldManager) o.fieldManager = scope.call.options.fieldManager;
  return o;
}

/** `dryRun` accepts only `All`. */

function targetOf(scope: HandlerScope): WriteTarget {
  return scope.call.subresource === 'status' ? 'status' : 'main';
}

/** POST to a collection: 201 with the created object. */
export async function handleCreate(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const { object, warnings } = decodeObject(store.definition, call.body, call.options.fieldValidation);
  const created = await store.create(call.namespace, object, writeOptions(scope));
  return { type: 'object', code: 201, object: created, warnings };
}

/** PUT of one object (or its status): 200 with the stored object. */
export async function handleUpdate(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const { object, warnings } = decodeObject(store.definition, call.body, call.options.fieldValidation);
  const name = call.name ?? '';
  checkNameMatches(object.metadata?.name, name);
  // Some kinds (services, endpoints, events) are created by a PUT to a missing name: 201.
  const { object: stored, created } = await store.replace(call.namespace, name, () => object, { ...writeOptions(scope), target: targetOf(scope) });
  return { type: 'object', code: created ? 201 : 200, object: stored, warnings };
}

/** PATCH of one object (or its status): the patch is re-applied to the fresh object on each retry. */
export async function handlePatch(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const def = store.definition;
  const name = call.name ?? '';
  const warnings: string[] = [];
  const updated = await store.update(
    call.namespace,
    name,
    (current: KubeObject) => {
      const patched = applyPatch(def, current, call.patchType ?? 'merge', call.body);
      const decoded = decodeObject(def, patched, call.options.fieldValidation);
      warnings.splice(0, warnings.length, ...decoded.warnings);
      return decoded.object;
    },
    { ...writeOptions(scope), target: targetOf(scope) },
  );
  return { type: 'object', code: 200, object: updated, warnings };
}
