/**
 * The first stage after the interceptors: an ApiCall as the transport built it becomes
 * a ResolvedCall — resource found, scope checked, verb mapped, body decoded, write
 * options validated — the same for every transport.
 */
import type { ApiCall, ResolvedCall, Verb } from '../api-call.js';
import type { ApiCatalog } from '../catalog.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import type { KindRef } from '../../registry/rest/definition.js';
import { DELETE_OPTIONS_KIND, definitionKind, SCALE_KIND, subresources } from '../verbs.js';
import { validateWriteOptions } from '../write-options.js';
import { ANONYMOUS } from '../auth/user.js';
import { decodeObjectBody } from './object-body.js';
import { decodePatchBody } from './patch-body.js';
import { checkScope, lookupResource } from './scope.js';
import { callVerb } from './verb.js';

/** A resolved call and the store it addresses. */
export interface Resolution {
  call: ResolvedCall;
  store: ResourceStore;
}

/** The decoded body as the audit records it: encoded in the kind's group version, so naming it (as upstream's encoder does). */
function withTypeMeta(decoded: unknown, kind: Pick<KindRef, 'group' | 'version' | 'kind'>): unknown {
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return decoded;
  const { apiVersion: _v, kind: _k, ...rest } = decoded as Record<string, unknown>;
  return { kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, ...rest };
}

/** Resolves a call; throws the Status error upstream answers when it cannot be served. */
export function resolveCall(catalog: ApiCatalog, call: ApiCall): Resolution {
  const store = lookupResource(catalog, call);
  const verb: Verb = checkScope(store, call, callVerb(call));
  const { action: _action, body, user, ...attributes } = call;
  const resolved: ResolvedCall = { ...attributes, verb, user: user ?? ANONYMOUS };
  // A proxied request's body and query belong to the backend: nothing here reads them.
  if (call.subresource === 'proxy') return { call: resolved, store };
  if (verb === 'patch') {
    const patch = decodePatchBody(body);
    resolved.patchType = patch.patchType;
    resolved.body = patch.body;
    resolved.audit?.requestObject(patch.body, false);
  } else if (verb === 'create' || verb === 'update') {
    const action = call.subresource ? subresources(store.definition).find((s) => s.action && s.name === call.subresource) : undefined;
    const into = action ? action.kind : call.subresource === 'scale' ? SCALE_KIND : definitionKind(store.definition);
    const decoded = decodeObjectBody(body, into, catalog);
    if (decoded !== undefined) {
      resolved.body = decoded;
      resolved.audit?.requestObject(withTypeMeta(decoded, into), true);
    }
  } else if (verb === 'delete' || verb === 'deletecollection') {
    const decoded = decodeObjectBody(body, DELETE_OPTIONS_KIND, catalog);
    if (decoded !== undefined) {
      resolved.body = decoded;
      resolved.audit?.requestObject(withTypeMeta(decoded, DELETE_OPTIONS_KIND), false);
    }
  }
  validateWriteOptions(resolved);
  return { call: resolved, store };
}
