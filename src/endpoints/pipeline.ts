/**
 * The request pipeline shared by every transport: interceptors around one dispatcher
 * that resolves the call (resource, scope, verb, body) and runs the verb handler.
 */
import { toApiError } from '../machinery/errors/index.js';
import { coreObjectLookup } from './core-lookup.js';
import type { ProxyLookup } from '../registry/rest/definition.js';
import type { ApiCall, ApiHandler, ApiResult, Interceptor, Verb } from './api-call.js';
import type { ApiCatalog } from './catalog.js';
import type { HandlerScope, HandlerSettings } from './handlers/context.js';
import { actionOf, handleAction, type StoreLookup } from './handlers/action.js';
import { handleDelete, handleDeleteCollection } from './handlers/delete.js';
import { handleProxy } from './handlers/proxy.js';
import { handleGet, handleList, handleWatch } from './handlers/read.js';
import { handleGetScale, handlePatchScale, handleUpdateScale } from './handlers/scale.js';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write.js';
import { resolveCall } from './request/resolve.js';

const HANDLERS: Record<Verb, (scope: HandlerScope) => Promise<ApiResult>> = {
  get: handleGet,
  list: handleList,
  watch: handleWatch,
  create: handleCreate,
  update: handleUpdate,
  patch: handlePatch,
  delete: handleDelete,
  deletecollection: handleDeleteCollection,
};

/**
 * Subresources with handlers of their own; the others (status) run the main handlers,
 * which address the subresource through the call.
 */
const SUBRESOURCE_HANDLERS: Record<string, Partial<Record<Verb, (scope: HandlerScope) => Promise<ApiResult>>> | undefined> = {
  scale: { get: handleGetScale, update: handleUpdateScale, patch: handlePatchScale },
};

/** The 404 upstream answers for paths it does not serve. */
export { resourceNotFound } from './request/scope.js';

/** Builds the handler every transport calls: interceptors, then resolution, then the verb handler. */
export function createApiHandler(catalog: ApiCatalog, interceptors: Interceptor[] = [], settings: HandlerSettings = {}): ApiHandler {
  // What a proxy location depends on besides its object (a Service's Endpoints and their Pods).
  const lookup: ProxyLookup = coreObjectLookup(catalog);
  // What an action subresource reaches besides its parent (an eviction's PodDisruptionBudgets).
  const storeLookup: StoreLookup = (group, version, resource) =>
    catalog.hasGroupVersion(group, version) ? catalog.resource(group, version, resource) : undefined;
  const dispatch: ApiHandler = async (apiCall: ApiCall) => {
    const { call, store } = resolveCall(catalog, apiCall);
    if (call.subresource === 'proxy') return handleProxy({ call, store, settings }, lookup);
    // Admission's warnings (webhooks, policies) join the handler's own on the result.
    const scope: HandlerScope = { call, store, settings, warnings: [] };
    const action = actionOf(scope);
    const handler = (call.subresource ? SUBRESOURCE_HANDLERS[call.subresource]?.[call.verb] : undefined) ?? HANDLERS[call.verb];
    const result = await (action ? handleAction(scope, action, storeLookup) : handler(scope));
    return withWarnings(result, scope.warnings ?? []);
  };
  return interceptors.reduceRight<ApiHandler>((next, intercept) => intercept(next), dispatch);
}

/** `result` with `extra` warnings after its own, each text once (as upstream's recorder keeps them). */
function withWarnings(result: ApiResult, extra: readonly string[]): ApiResult {
  if (extra.length === 0 || result.type !== 'object') return result;
  return { ...result, warnings: [...new Set([...(result.warnings ?? []), ...extra])] };
}

/** Turns anything thrown below into an ApiError (the outermost interceptor). */
export const recoveryInterceptor: Interceptor = (next) => async (call) => {
  try {
    return await next(call);
  } catch (err) {
    throw toApiError(err);
  }
};
