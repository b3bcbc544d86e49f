/** What every verb handler receives: the call and the resource store it addresses. */
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import type { ApiCall } from '../api-call.js';

/** A verb handler. */
export interface HandlerScope {
  call: ApiCall;
  store: ResourceStore;
}

/** `dryRun=All` (the only value Kubernetes accepts) turns writes into rehearsals. */
export function isDryRun(call: ApiCall): boolean {
  return (call.options.dryRun ?? []).includes('All');
}
