/**
 * Auditing as the pipeline does it, for both transports: the interceptor opens a request's
 * record before access control runs (so 401s and 403s are audited), the access check and the
 * resolver fill it in, and the result closes it — a watch once its stream ends. gRPC calls,
 * and in-process ones, carry no URI: theirs is the REST path of the same call.
 */
import { ApiError, toApiError } from '../../machinery/errors/index.js';
import type { ApiCall, Interceptor } from '../api-call.js';
import type { WatchEvent } from '../../registry/rest/resource-store.js';
import { verbLabel } from '../request/verb.js';
import { AuditContext, type AuditRequestInfo, type AuditResponse, type AuditSink } from './context.js';
import type { AuditPolicy } from './policy.js';

export interface Auditor {
  /** Opens the record of one request; without an `auditID` it gets a fresh UUID. */
  begin(info: Omit<AuditRequestInfo, 'auditID'> & { auditID?: string | undefined }): AuditContext;
  /** The pipeline's interceptor (inside recovery, outside access control). */
  interceptor: Interceptor;
}

/** The REST path of a call, as the HTTP API would have been asked (`?watch=true` for a watch). */
export function restPath(call: ApiCall): string {
  const parts = [call.group ? `/apis/${call.group}/${call.version}` : `/api/${call.version}`];
  if (call.namespace !== undefined) parts.push(`/namespaces/${call.namespace}`);
  parts.push(`/${call.resource}`);
  if (call.name !== undefined) parts.push(`/${call.name}`);
  if (call.subresource) parts.push(`/${call.subresource}`);
  if (call.proxyPath !== undefined && call.proxyPath !== '/') parts.push(call.proxyPath);
  const verb = 'verb' in call.action ? call.action.verb : undefined;
  const watch = verb === 'watch' || ('watch' in call.action && call.action.watch);
  return parts.join('') + (watch ? '?watch=true' : '');
}

/** The resource attributes an audit record names, from a call's (or a parsed path's) resource fields. */
export function auditedResource(r: { group: string; version: string; resource: string; subresource?: string | undefined; namespace?: string | undefined; name?: string | undefined }): NonNullable<AuditRequestInfo['resource']> {
  return { group: r.group, version: r.version, resource: r.resource, subresource: r.subresource ?? '', namespace: r.namespace ?? '', name: r.name ?? '' };
}

/** What the record of an error response says: its Status (the response body too, at RequestResponse). */
export function errorResponse(err: unknown): AuditResponse {
  const status = toApiError(err).status;
  return { code: status.code, status, object: () => status };
}

/** Ends the record when the watch ends: its stream finishes, or the call is aborted (client gone, shutdown). */
function completedWhenDone(events: AsyncIterable<WatchEvent>, audit: AuditContext, signal: AbortSignal): AsyncIterable<WatchEvent> {
  const done = (): void => audit.complete({ code: 200 });
  if (signal.aborted) done();
  else signal.addEventListener('abort', done, { once: true });
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* events;
      } finally {
        signal.removeEventListener('abort', done);
        done();
      }
    },
  };
}

export function createAuditor(policy: AuditPolicy, sink: AuditSink): Auditor {
  const begin: Auditor['begin'] = (info) => new AuditContext({ ...info, auditID: info.auditID || crypto.randomUUID() }, policy, sink);
  const interceptor: Interceptor = (next) => async (call) => {
    const audit = begin({
      auditID: call.auditID,
      requestURI: call.requestURI ?? restPath(call),
      verb: verbLabel(call),
      sourceIPs: call.sourceIPs ?? [],
      ...(call.userAgent ? { userAgent: call.userAgent } : {}),
      resource: auditedResource(call),
    });
    let result;
    try {
      result = await next({ ...call, audit });
    } catch (err) {
      // What no handler meant to throw is upstream's Panic stage.
      if (err instanceof ApiError) audit.complete(errorResponse(err));
      else audit.panic(err instanceof Error ? err.message : String(err));
      throw err;
    }
    switch (result.type) {
      case 'watch':
        audit.responseStarted(200);
        return { ...result, events: completedWhenDone(result.events, audit, call.signal) };
      case 'proxy':
        // The backend's answer streams past the pipeline: what is known is that the call was let through.
        audit.complete({ code: 200 });
        return result;
      case 'object': {
        // A list or cached GET builds its object only when read: only RequestResponse reads it.
        const eager = result.items === undefined && result.memo === undefined;
        const status = eager && result.object.kind === 'Status' ? (result.object as unknown as AuditResponse['status']) : undefined;
        audit.complete({ code: result.code, ...(status ? { status } : {}), object: () => result.object });
        return result;
      }
    }
  };
  return { begin, interceptor };
}
