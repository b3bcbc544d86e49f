/**
 * The admission chain the server runs: upstream's default plugins that apply here, in
 * upstream's order (k8s.io/kubernetes pkg/kubeapiserver/options/plugins.go). Mutating parts
 * run in the handlers, validating parts in the generic store (registry/rest/admission.ts).
 */
import { limitRanger } from '../endpoints/admission/limit-ranger.js';
import { namespaceLifecycle, type NamespaceCache } from '../endpoints/admission/namespace-lifecycle.js';
import { nodeRestriction } from '../endpoints/admission/node-restriction.js';
import { podSecurityAdmission } from '../endpoints/admission/pod-security/pod-security.js';
import { resourceQuotaAdmission } from '../endpoints/admission/resource-quota.js';
import { serviceAccountAdmission } from '../endpoints/admission/service-account.js';
import { admissionChain, type AdmissionChain, type AdmissionPlugin } from '../registry/rest/admission.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import type { DynamicAdmission } from './admission-webhooks.js';

/** What the plugins read: stores (looked up when a request is admitted) and the namespace cache. */
export interface AdmissionDependencies {
  /** The storage-version store of a resource (undefined while it is not installed). */
  storage: (group: string, resource: string) => ResourceStore | undefined;
  namespaceCache: NamespaceCache;
  /** The webhook and policy plugins (server/admission-webhooks.ts); absent: none. */
  dynamic?: DynamicAdmission;
}

/** The plugins, in upstream's order. */
export function admissionPlugins(deps: AdmissionDependencies): AdmissionPlugin[] {
  const store = (group: string, resource: string) => (): ResourceStore => {
    const s = deps.storage(group, resource);
    if (!s) throw new Error(`${resource}.${group} is not installed`);
    return s;
  };
  return [
    namespaceLifecycle(store('', 'namespaces'), deps.namespaceCache),
    limitRanger(store('', 'limitranges')),
    serviceAccountAdmission(store('', 'serviceaccounts')),
    nodeRestriction(store('', 'pods'), store('', 'nodes')),
    podSecurityAdmission(store('', 'namespaces'), store('', 'pods'), deps.namespaceCache),
    ...(deps.dynamic ? [deps.dynamic.mutatingWebhook, deps.dynamic.validatingPolicy, deps.dynamic.validatingWebhook] : []),
    resourceQuotaAdmission(store('', 'resourcequotas')),
  ];
}

/** The server's chain. */
export function serverAdmissionChain(deps: AdmissionDependencies): AdmissionChain {
  return admissionChain(admissionPlugins(deps));
}
