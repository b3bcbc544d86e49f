/** The API verb of a call: given by gRPC methods, mapped from the HTTP method (apiserver's RequestInfo). */
import type { ApiCall, Verb } from '../api-call.js';

const METHOD_VERBS: Readonly<Record<string, Verb>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The verb, or undefined for an HTTP method no verb maps to. */
export function callVerb(call: Pick<ApiCall, 'action' | 'name'>): Verb | undefined {
  const { action } = call;
  if ('verb' in action) return action.verb;
  if (action.method === 'GET' || action.method === 'HEAD') return action.watch ? 'watch' : call.name ? 'get' : 'list';
  const verb = METHOD_VERBS[action.method];
  return verb === 'delete' && !call.name ? 'deletecollection' : verb;
}

/** The verb as metrics and logs name it: unmapped methods by their lowercased name, as upstream. */
export function verbLabel(call: Pick<ApiCall, 'action' | 'name'>): string {
  return callVerb(call) ?? ('method' in call.action ? call.action.method.toLowerCase() : 'unknown');
}
