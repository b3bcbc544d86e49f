/** What every verb handler receives: the call and the resource store it addresses. */
import type { AdmissionChain } from '../../registry/rest/admission.js';
import type { ServiceAccountTokenSigner } from '../../registry/rest/definition.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import type { ResolvedCall } from '../api-call.js';

/** Server-wide settings the handlers honour. */
export interface HandlerSettings {
  /** How often watches that allow bookmarks get one (tests shorten it). */
  bookmarkIntervalMs?: number;
  /** `--proxy-allow-loopback`: the proxy subresource may dial loopback addresses. */
  proxyAllowLoopback?: boolean;
  /** Signs the tokens `serviceaccounts/NAME/token` issues. */
  tokenSigner?: ServiceAccountTokenSigner;
  /** Admission: mutating plugins run in the handlers, validating ones in the store (same chain). */
  admission?: AdmissionChain;
}

/** A verb handler. */
export interface HandlerScope {
  call: ResolvedCall;
  store: ResourceStore;
  settings: HandlerSettings;
  /** Warnings gathered while the call runs (admission's), sent with its result. */
  warnings?: string[];
}

/** `dryRun=All` (the only value Kubernetes accepts) turns writes into rehearsals. */
export function isDryRun(call: ResolvedCall): boolean {
  return (call.options.dryRun ?? []).includes('All');
}
