/**
 * get, update and patch of `/scale`: the parent read or rewritten through the generic
 * store (compare-and-swap, strategies, generation), answered as an autoscaling/v1 Scale.
 */
import { checkNameMatches, checkNamespaceMatches, conflict, invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { invalidValue, toCauses } from '../../machinery/validation/field-error.js';
import type { ScaleSubresource } from '../../registry/rest/definition.js';
import type { ApiResult } from '../api-call.js';
import { decodeObject } from '../decode.js';
import { managerName, recordUpdate } from '../field-management.js';
import { decodeManagedFields, encodeManagedFields, parseManagerIdentifier, type ManagedFieldsEntry } from '../../machinery/fieldmanager/managed-fields.js';
import { applyPatch } from '../patch/apply-patch.js';
import { SCALE_KIND } from '../verbs.js';
import { admissionRequest, mutateAdmission } from './admission.js';
import type { HandlerScope } from './context.js';
import { parentWithScale, scaleFromParent } from './scale-object.js';
import { writeOptions } from './write.js';

/** Computes the desired Scale from the current one; runs again on every conflict retry. */
type ScaleUpdater = (current: KubeObject) => KubeObject;

function scalePaths(scope: HandlerScope): ScaleSubresource {
  const paths = scope.store.definition.scale;
  // The pipeline only routes here for definitions with a scale subresource.
  if (!paths) throw new Error(`${scope.store.definition.resource} has no scale subresource`);
  return paths;
}

/** upstream's ValidateScale: replicas may not be negative. */
function validateScale(scale: KubeObject, name: string): void {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas === 'number' && replicas < 0) {
    const causes = toCauses([invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    throw invalid(SCALE_KIND.kind, SCALE_KIND.group, name, causes);
  }
}

/**
 * Upstream's scale handler maps the Scale's entries back onto the parent taking each one's
 * time from the parent's entries under the Scale-side key (apiVersion autoscaling/v1), which
 * no parent entry ever has: every Update entry of `/scale` is written without a time, and
 * so sorts first among the Updates.
 */
function dropScaleEntryTimes(parent: KubeObject): void {
  const meta = parent.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined;
  if (!meta?.managedFields) return;
  const managed = decodeManagedFields(meta.managedFields);
  for (const id of managed.times.keys()) {
    const e = parseManagerIdentifier(id);
    if (e.subresource === 'scale' && e.operation === 'Update') managed.times.set(id, undefined);
  }
  const entries = encodeManagedFields(managed);
  if (entries) meta.managedFields = entries;
}

/** Runs one Scale write against the parent and answers with the resulting Scale. */
async function writeScale(scope: HandlerScope, desired: ScaleUpdater): Promise<ApiResult> {
  const { call, store } = scope;
  const def = store.definition;
  const paths = scalePaths(scope);
  const name = call.name ?? '';
  const warnings: string[] = [];
  const manager = managerName(call);
  const scaleAdmission = { subresource: 'scale', kind: { group: SCALE_KIND.group, version: SCALE_KIND.version, kind: SCALE_KIND.kind }, view: (obj: KubeObject) => scaleFromParent(paths, obj) };
  const updated = await store.update(
    call.namespace,
    name,
    async (parent: KubeObject) => {
      const wanted = desired(scaleFromParent(paths, parent));
      const decoded = decodeObject(SCALE_KIND, wanted, call.options.fieldValidation);
      warnings.splice(0, warnings.length, ...decoded.warnings);
      // Admission sees Scales (the parent's before and after), as upstream's scale subresource shows them.
      const scale = await mutateAdmission(scope, decoded.object, scaleFromParent(paths, parent), scaleAdmission);
      validateScale(scale, name);
      const uid = scale.metadata?.uid;
      if (uid && uid !== parent.metadata?.uid) {
        throw conflict(
          { resource: `${def.resource}/scale`, group: def.group },
          name,
          `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${parent.metadata?.uid ?? ''}`,
        );
      }
      const next = parentWithScale(paths, parent, scale);
      // Recorded on the parent, as upstream's scale handler does: the replicas field, under `scale`.
      recordUpdate(def, 'scale', parent, next, manager, false);
      dropScaleEntryTimes(next);
      return next;
    },
    { ...writeOptions(scope), admission: admissionRequest(scope, scaleAdmission), target: 'main' },
  );
  return { type: 'object', code: 200, object: scaleFromParent(paths, updated), warnings };
}

/** GET of `/scale`: the parent's Scale. */
export async function handleGetScale(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const parent = await store.get(call.namespace, call.name ?? '');
  return { type: 'object', code: 200, object: scaleFromParent(scalePaths(scope), parent) };
}

/** PUT of `/scale`: the body is the desired Scale; its resourceVersion, when set, must be current. */
export async function handleUpdateScale(scope: HandlerScope): Promise<ApiResult> {
  const { call } = scope;
  const body = call.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const meta = (body as KubeObject).metadata;
    checkNameMatches(meta?.name, call.name ?? '');
    checkNamespaceMatches(meta?.namespace, call.namespace);
  }
  return writeScale(scope, () => body as KubeObject);
}

/** PATCH of `/scale`: the patch applies to the current Scale document, again on every retry. */
export async function handlePatchScale(scope: HandlerScope): Promise<ApiResult> {
  const { call } = scope;
  return writeScale(scope, (current) => applyPatch(SCALE_KIND, current, call.patchType ?? 'merge', call.body) as KubeObject);
}
