/**
 * The handlers' side of admission: the request as admission describes it (handed to the
 * store for its validating plugins) and mutating admission of the object being written.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { typedAs, type AdmissionAttributes, type AdmissionOperation, type AdmissionRequest, type GroupVersionKind } from '../../registry/rest/admission.js';
import { isDryRun, type HandlerScope } from './context.js';

/** A subresource's own kind (`Scale`, `TokenRequest`); absent: the resource's kind. */
export interface AdmittedAs {
  subresource?: string;
  kind?: GroupVersionKind;
  /** How the store's validating admission shows a written object as that kind (`AdmissionRequest.view`). */
  view?: (obj: KubeObject) => KubeObject;
}

/** The options kind of each writing verb (a POST to an action subresource is a create). */
const OPTIONS_KIND: Partial<Record<string, string>> = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' };

/** The options of the operation, as meta/v1 CreateOptions/UpdateOptions/PatchOptions carry them. */
function writeOptionsOf(scope: HandlerScope): Record<string, unknown> {
  const o = scope.call.options;
  const kind = OPTIONS_KIND[scope.call.verb];
  const out: Record<string, unknown> = kind ? { kind, apiVersion: 'meta.k8s.io/v1' } : {};
  if (o.dryRun?.length) out.dryRun = o.dryRun;
  if (o.fieldManager) out.fieldManager = o.fieldManager;
  if (o.fieldValidation) out.fieldValidation = o.fieldValidation;
  if (o.force !== undefined) out.force = o.force;
  return out;
}

/** The call as admission describes it. */
export function admissionRequest(scope: HandlerScope, as: AdmittedAs = {}): AdmissionRequest {
  const def = scope.store.definition;
  const subresource = 'subresource' in as ? as.subresource : scope.call.subresource;
  return {
    group: def.group,
    version: def.version,
    resource: def.resource,
    ...(subresource !== undefined ? { subresource } : {}),
    kind: as.kind ?? { group: def.group, version: def.version, kind: def.kind },
    user: scope.call.user,
    options: writeOptionsOf(scope),
    ...(as.view ? { view: as.view } : {}),
    ...(scope.warnings ? { warnings: scope.warnings } : {}),
  };
}

/** The full attributes of one operation on `object` (and the stored `oldObject`). */
export function admissionAttributes(
  scope: HandlerScope,
  operation: AdmissionOperation,
  object: KubeObject | undefined,
  oldObject: KubeObject | undefined,
  as: AdmittedAs = {},
): AdmissionAttributes {
  const { fromStorage: _f, view: _v, ...req } = admissionRequest(scope, as);
  const name = scope.call.name ?? object?.metadata?.name ?? object?.metadata?.generateName ?? '';
  return {
    ...req,
    operation,
    name,
    ...(scope.call.namespace ? { namespace: scope.call.namespace } : {}),
    ...(object ? { object: typedAs(object, req.kind) } : {}),
    ...(oldObject ? { oldObject: typedAs(oldObject, req.kind) } : {}),
    dryRun: isDryRun(scope.call),
  };
}

/**
 * Mutating then validating admission of a request that the store does not write as itself
 * (an action subresource's CREATE: a binding, an eviction, a token request): the object as
 * the mutating plugins leave it, once every validating plugin let it pass.
 */
export async function admitAction(scope: HandlerScope, object: KubeObject, as: AdmittedAs): Promise<KubeObject> {
  const chain = scope.settings.admission;
  if (!chain) return object;
  const a = admissionAttributes(scope, 'CREATE', object, undefined, as);
  const mutated = (await chain.mutate(a)) ?? object;
  await chain.validate({ ...a, object: mutated });
  return mutated;
}

/**
 * Mutating admission of a create (no `oldObject`) or an update: the object as the mutating
 * plugins leave it. Without a chain, the object itself.
 */
export async function mutateAdmission(scope: HandlerScope, object: KubeObject, oldObject?: KubeObject, as: AdmittedAs = {}): Promise<KubeObject> {
  const chain = scope.settings.admission;
  if (!chain) return object;
  const out = await chain.mutate(admissionAttributes(scope, oldObject ? 'UPDATE' : 'CREATE', object, oldObject, as));
  if (!out) return object;
  // Plugins see typed objects; what goes on down the write path stays as it came.
  if (object.kind !== undefined) return out;
  const { apiVersion: _a, kind: _k, ...rest } = out;
  return rest;
}
