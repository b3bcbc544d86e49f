/** delete and deletecollection. */
import { successStatus } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { DeleteQuery } from '../../registry/rest/resource-store.js';
import type { ApiResult, ResolvedCall } from '../api-call.js';
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
  const pre = (body.preconditions ?? o.preconditions) as DeleteQuery['preconditions'];
  if (pre) q.preconditions = pre;
  return q;
}

function dryRunOf(call: ResolvedCall): boolean {
  const body = (call.body && typeof call.body === 'object' ? call.body : {}) as { dryRun?: unknown };
  return isDryRun(call) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
}

/** DELETE of one object: a success Status, or the object when it lingers or the kind says so. */
export async function handleDelete({ call, store }: HandlerScope): Promise<ApiResult> {
  const def = store.definition;
  const query = deleteQuery(call);
  const dryRun = dryRunOf(call);
  const outcome = await store.delete(call.namespace, call.name ?? '', { ...query, dryRun });
  if (outcome.gone && !def.returnDeletedObject) {
    // details.group is omitempty upstream: absent for the core group.
    const status = successStatus({
      name: call.name ?? '',
      ...(def.group ? { group: def.group } : {}),
      kind: def.resource,
      uid: outcome.object.metadata?.uid ?? '',
    });
    return { type: 'object', code: 200, object: status as unknown as KubeObject };
  }
  return { type: 'object', code: 200, object: outcome.object };
}

/** DELETE of a collection: deletes every selected object, returns them as a list. */
export async function handleDeleteCollection({ call, store }: HandlerScope): Promise<ApiResult> {
  const query: Parameters<typeof store.list>[1] = {};
  if (call.options.labelSelector) query.labelSelector = call.options.labelSelector;
  if (call.options.fieldSelector) query.fieldSelector = call.options.fieldSelector;
  const list = await store.list(call.namespace, query);
  const dq = deleteQuery(call);
  const dryRun = dryRunOf(call);
  const deleted: KubeObject[] = [];
  for (const item of list.items) {
    try {
      const out = await store.delete(item.metadata?.namespace, item.metadata?.name ?? '', { ...dq, dryRun });
      deleted.push(out.object);
    } catch (err) {
      if (!(err instanceof Error && 'status' in err && (err as { status: { code: number } }).status.code === 404)) throw err;
    }
  }
  const result = { ...list, items: deleted.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) };
  return { type: 'object', code: 200, object: result as unknown as KubeObject };
}
