/**
 * Which calls are long-running, as upstream's BasicLongRunningRequestCheck decides: watches,
 * and the streaming subresources (a proxy, exec, attach, port-forward, log). They take no
 * in-flight slot and have no request deadline; they end on their own terms.
 */
import type { ApiCall } from '../api-call.js';
import { callVerb } from '../request/verb.js';

const LONG_RUNNING_SUBRESOURCES: ReadonlySet<string> = new Set(['proxy', 'exec', 'attach', 'portforward', 'log']);

/** Whether `call` is long-running. */
export function isLongRunning(call: Pick<ApiCall, 'action' | 'name' | 'subresource'>): boolean {
  if (call.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(call.subresource)) return true;
  return callVerb(call) === 'watch';
}

/** Whether `call` only reads (upstream's non-mutating verbs: get, list, watch). */
export function isReadOnly(call: Pick<ApiCall, 'action' | 'name'>): boolean {
  const verb = callVerb(call);
  return verb === 'get' || verb === 'list' || verb === 'watch';
}
