/** delete and deletecollection. */
import { ApiError, successStatus } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { DeleteQuery } from '../../registry/rest/resource-store.js';
import type { ApiResult, ResolvedCall } from '../api-call.js';
import { admissionRequest } from './admission.js';
import { isDryRun, type HandlerScope } from './context.js';

/** DeleteOptions from the body win over query parameters, as upstream. */
function deleteQuery(call: ResolvedCall): DeleteQuery {
  const body = (call.body && typeof call.body === 'object' ? call.body : {}) as Record<string, unknown>;
  const o = call.options;
  const q: DeleteQuery = {};
  const grace = body.gracePeriodSeconds ?? o.gracePeriodSeconds;
  if (typeof grace === 'number') q.gracePeriodSeconds = grace;
  const policy = body.propagationPolicy ?? o.propagationPolicy;
  if (typeof policy === 'string') q.propagationPolicy = policy;
  const orphan = body.orphanDependents ?? o.orphanDependents;
  if (typeof orphan === 'boolean') q.orphanDependents = orphan;
  const pre = (body.preconditions ?? o.preconditions) as DeleteQuery['preconditions'];
  if (pre) q.preconditions = pre;
  return q;
}

/** The delete as admission describes it: its options are the DeleteOptions. */
function deleteAdmission(scope: HandlerScope, query: DeleteQuery): ReturnType<typeof admissionRequest> {
  const dryRun = dryRunOf(scope.call);
  const { requestVersion: _v, ...options } = query;
  return { ...admissionRequest(scope), options: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', ...options, ...(dryRun ? { dryRun: ['All'] } : {}) } };
}

function dryRunOf(call: ResolvedCall): boolean {
  const body = (call.body && typeof call.body === 'object' ? call.body : {}) as { dryRun?: unknown };
  return isDryRun(call) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
}

/**
 * DELETE of one object: a success Status, or the object when it lingers or the kind says
 * so. 200 either way, except 202 for an object that lingers after a request that
 * explicitly asked for its dependents to be deleted (`orphanDependents: false`), as upstream.
 */
export async function handleDelete(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const def = store.definition;
  const query = deleteQuery(call);
  const dryRun = dryRunOf(call);
  const outcome = await store.delete(call.namespace, call.name ?? '', { ...query, dryRun, admission: deleteAdmission(scope, query) });
  const warnings = outcome.warnings?.length ? { warnings: outcome.warnings } : {};
  if (outcome.gone && !def.returnDeletedObject) {
    // details.group is omitempty upstream: absent for the core group.
    const status = successStatus({
      name: call.name ?? '',
      ...(def.group ? { group: def.group } : {}),
      kind: def.resource,
      uid: outcome.object.metadata?.uid ?? '',
    });
    return { type: 'object', code: 200, object: status as unknown as KubeObject, ...warnings };
  }
  const code = !outcome.gone && query.orphanDependents === false ? 202 : 200;
  return { type: 'object', code, object: outcome.object, ...warnings };
}

/**
 * DELETE of a collection: deletes every object the list options select (one page when
 * the request sets `limit`), as upstream's DeleteCollection, and returns the list of
 * them as they were listed. Objects that went meanwhile are skipped.
 */
export async function handleDeleteCollection(scope: HandlerScope): Promise<ApiResult> {
  const { call, store } = scope;
  const query: Parameters<typeof store.list>[1] = {};
  const o = call.options;
  if (o.labelSelector) query.labelSelector = o.labelSelector;
  if (o.fieldSelector) query.fieldSelector = o.fieldSelector;
  if (o.limit !== undefined) query.limit = o.limit;
  if (o.continue) query.continue = o.continue;
  if (o.resourceVersion !== undefined) query.resourceVersion = o.resourceVersion;
  if (o.resourceVersionMatch !== undefined) query.resourceVersionMatch = o.resourceVersionMatch;
  const list = await store.list(call.namespace, query);
  const dq = deleteQuery(call);
  const dryRun = dryRunOf(call);
  const admission = deleteAdmission(scope, dq);
  const warnings = new Set<string>();
  for (const item of list.items) {
    try {
      const out = await store.delete(item.metadata?.namespace, item.metadata?.name ?? '', { ...dq, dryRun, admission });
      for (const w of out.warnings ?? []) warnings.add(w);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
    }
  }
  return { type: 'object', code: 200, object: list as unknown as KubeObject, ...(warnings.size ? { warnings: [...warnings] } : {}) };
}
