/**
 * POST to an action subresource (pods/binding, pods/eviction, serviceaccounts/token): the
 * body is decoded as whichever of the action's kinds it names, and the definition's
 * action runs it against the parent's store. Its answer (a Status or the action's kind)
 * goes back as it is.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { definitionApiVersion, type ActionSubresource } from '../../registry/rest/definition.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import type { ApiResult } from '../api-call.js';
import { decodeObject } from '../decode.js';
import { checkWriteOptions } from '../field-management.js';
import { admitAction } from './admission.js';
import type { HandlerScope } from './context.js';

/** Finds another served resource's store. */
export type StoreLookup = (group: string, version: string, resource: string) => ResourceStore | undefined;

/** The action a call addresses, if its subresource is one. */
export function actionOf(scope: HandlerScope): ActionSubresource | undefined {
  const name = scope.call.subresource;
  return name === undefined ? undefined : scope.store.definition.actions?.find((a) => a.name === name);
}

/** Runs one action request. */
export async function handleAction(scope: HandlerScope, action: ActionSubresource, lookup: StoreLookup): Promise<ApiResult> {
  const { call, store } = scope;
  checkWriteOptions(call, 'CreateOptions');
  const sent = call.body !== null && typeof call.body === 'object' ? (call.body as KubeObject).apiVersion : undefined;
  const kind = [action.kind, ...(action.accepts ?? [])].find((k) => definitionApiVersion(k) === sent) ?? action.kind;
  const decoded = decodeObject(kind, call.body, call.options.fieldValidation);
  const sentBody: KubeObject = { apiVersion: definitionApiVersion(kind), kind: kind.kind, ...decoded.object };
  // Admitted as a CREATE of the subresource, in the action's own kind.
  const body = await admitAction(scope, sentBody, { subresource: action.name, kind: { group: kind.group, version: kind.version, kind: kind.kind } });
  const result = await action.create({
    namespace: call.namespace,
    name: call.name ?? '',
    body,
    dryRun: call.options.dryRun ?? [],
    parent: store,
    resource: lookup,
    ...(scope.settings.tokenSigner ? { tokenSigner: scope.settings.tokenSigner } : {}),
  });
  return { type: 'object', code: result.code, object: result.object, warnings: [...decoded.warnings, ...(result.warnings ?? [])] };
}
