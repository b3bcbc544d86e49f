/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`): the configuration is
 * checked against the schema, merged over the live object by the field manager (conflicts
 * are 409 unless `force`), turned back into the canonical object with the version's
 * defaults, and written — or, when the object does not exist yet, created (201).
 */
import { ApiError, badRequest, checkNameMatches } from '../../machinery/errors/index.js';
import { ApplyConflicts, ApplyRequestError } from '../../machinery/fieldmanager/index.js';
import { pruneToSchema } from '../../machinery/fieldmanager/config-prune.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { definitionApiVersion } from '../../registry/rest/definition.js';
import { writeTargetOf } from '../../registry/rest/resource-store.js';
import type { ApiResult } from '../api-call.js';
import { decodeObject } from '../decode.js';
import { applyConflictError, emptyManagedView, fieldManagerFor, managedView, typeNodeOf } from '../field-management.js';
import { admissionRequest, mutateAdmission } from './admission.js';
import { isDryRun, type HandlerScope } from './context.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Go's GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=ConfigMap`. */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = av.indexOf('/');
  const group = slash >= 0 ? av.slice(0, slash) : '';
  const version = slash >= 0 ? av.slice(slash + 1) : av;
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

export async function handleApply(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const def = store.definition;
  const name = call.name ?? '';
  const body = call.body;
  if (!isObject(body)) {
    const what = Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body;
    throw badRequest(`error decoding YAML: json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  if (body['apiVersion'] !== definitionApiVersion(def) || body['kind'] !== def.kind) {
    throw badRequest(`invalid object type: ${gvkString(body['apiVersion'], body['kind'])}`);
  }
  const meta = isObject(body['metadata']) ? body['metadata'] : {};
  checkNameMatches(typeof meta['name'] === 'string' ? meta['name'] : undefined, name);
  // Type errors and unknown fields, per fieldValidation, as for any other body.
  const { warnings } = decodeObject(def, body, call.options.fieldValidation);
  const config = pruneToSchema(body, typeNodeOf(def)) as Record<string, unknown>;
  const fm = fieldManagerFor(def, call.subresource);
  const manager = call.options.fieldManager ?? '';
  const force = call.options.force === true;
  const target = writeTargetOf(def, call.subresource);
  const wopts = { dryRun: isDryRun(call), fieldManager: manager, user: call.user, admission: admissionRequest(scope) };

  const build = (current: KubeObject | undefined): KubeObject => {
    let merged: Record<string, unknown>;
    try {
      merged = fm.apply(current ? managedView(def, current) : undefined, emptyManagedView(def), config, manager, force);
    } catch (err) {
      if (err instanceof ApplyConflicts) throw applyConflictError(err);
      if (err instanceof ApplyRequestError) throw badRequest(err.message);
      throw err;
    }
    return decodeObject(def, merged, 'Ignore').object;
  };

  for (;;) {
    try {
      const updated = await store.update(call.namespace, name, (current) => mutateAdmission(scope, build(current), current), { ...wopts, target });
      return { type: 'object', code: 200, object: updated, warnings };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status.reason !== 'NotFound' || target !== 'main' || !isMissingObject(err, name)) throw err;
    }
    try {
      const created = await store.create(call.namespace, await mutateAdmission(scope, build(undefined)), wopts);
      return { type: 'object', code: 201, object: created, warnings };
    } catch (err) {
      // Someone created it meanwhile: apply over theirs.
      if (err instanceof ApiError && err.status.reason === 'AlreadyExists') continue;
      throw err;
    }
  }
}

/** NotFound about the object itself (not, say, its namespace). */
function isMissingObject(err: ApiError, name: string): boolean {
  return err.status.details?.name === name;
}
