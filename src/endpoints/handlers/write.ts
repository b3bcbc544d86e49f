/** create, update and patch (server-side apply lives in apply.ts). */
import { checkNameMatches } from '../../machinery/errors/index.js';
import { isResetManagedFields } from '../../machinery/fieldmanager/index.js';
import { cloneObject, type KubeObject } from '../../machinery/meta/object.js';
import { writeTargetOf, type WriteOptions, type WriteTarget } from '../../registry/rest/resource-store.js';
import type { ApiResult } from '../api-call.js';
import { decodeObject } from '../decode.js';
import { checkWriteOptions, managerName, recordUpdate } from '../field-management.js';
import { applyPatch } from '../patch/apply-patch.js';
import { admissionRequest, mutateAdmission } from './admission.js';
import { handleApply } from './apply.js';
import { isDryRun, type HandlerScope } from './context.js';

/** Write options (dryRun, fieldManager, the request as admission sees it) from the call. */
export function writeOptions(scope: HandlerScope): WriteOptions {
  const o: WriteOptions = { dryRun: isDryRun(scope.call), user: scope.call.user, admission: admissionRequest(scope) };
  if (scope.call.options.fieldManager) o.fieldManager = scope.call.options.fieldManager;
  return o;
}

function targetOf(scope: HandlerScope): WriteTarget {
  return writeTargetOf(scope.store.definition, scope.call.subresource);
}

/** `managedFields: []` (or `[{}]`) in what the client sent: it asks to clear them. */
function requestsReset(body: unknown): boolean {
  const meta = body && typeof body === 'object' ? (body as { metadata?: unknown }).metadata : undefined;
  return !!meta && typeof meta === 'object' && isResetManagedFields((meta as { managedFields?: unknown }).managedFields);
}

/** POST to a collection: 201 with the created object. */
export async function handleCreate(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  checkWriteOptions(call, 'CreateOptions');
  const { object, warnings } = decodeObject(store.definition, call.body, call.options.fieldValidation);
  recordUpdate(store.definition, undefined, undefined, object, managerName(call), requestsReset(call.body));
  const created = await store.create(call.namespace, await mutateAdmission(scope, object), writeOptions(scope));
  return { type: 'object', code: 201, object: created, warnings };
}

/** PUT of one object (or its status): 200 with the stored object. */
export async function handleUpdate(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  checkWriteOptions(call, 'UpdateOptions');
  const { object, warnings } = decodeObject(store.definition, call.body, call.options.fieldValidation);
  const name = call.name ?? '';
  checkNameMatches(object.metadata?.name, name);
  const reset = requestsReset(call.body);
  const manager = managerName(call);
  // Some kinds (services, endpoints, events) are created by a PUT to a missing name: 201.
  const { object: stored, created } = await store.replace(
    call.namespace,
    name,
    (current) => {
      const next = cloneObject(object);
      const old = current.metadata ? current : undefined;
      recordUpdate(store.definition, call.subresource, old, next, manager, reset);
      // A missing object is created (create-on-update): admitted as a CREATE.
      return mutateAdmission(scope, next, old);
    },
    { ...writeOptions(scope), target: targetOf(scope) },
  );
  return { type: 'object', code: created ? 201 : 200, object: stored, warnings };
}

/** PATCH of one object (or its status): the patch is re-applied to the fresh object on each retry. */
export async function handlePatch(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  checkWriteOptions(call, 'PatchOptions');
  if (call.patchType === 'apply') return handleApply(scope);
  const def = store.definition;
  const name = call.name ?? '';
  const manager = managerName(call);
  const warnings: string[] = [];
  const updated = await store.update(
    call.namespace,
    name,
    (current: KubeObject) => {
      const patched = applyPatch(def, current, call.patchType ?? 'merge', call.body);
      const decoded = decodeObject(def, patched, call.options.fieldValidation);
      warnings.splice(0, warnings.length, ...decoded.warnings);
      recordUpdate(def, call.subresource, current, decoded.object, manager, requestsReset(patched));
      return mutateAdmission(scope, decoded.object, current);
    },
    { ...writeOptions(scope), target: targetOf(scope) },
  );
  return { type: 'object', code: 200, object: updated, warnings };
}
