/**
 * The dynamic admission plugins wired to the served objects: MutatingAdmissionWebhook,
 * ValidatingAdmissionPolicy and ValidatingAdmissionWebhook over live views of the
 * admissionregistration.k8s.io/v1 configurations, with the webhooks' Services resolved to
 * their endpoints. `stop` ends the views' watches.
 */
import type {
  MutatingWebhookConfiguration,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
} from '../../gen/kube/admissionregistration-v1.js';
import { celMatchConditions } from '../endpoints/admission/policy/match-conditions.js';
import { validatingAdmissionPolicyPlugin } from '../endpoints/admission/policy/plugin.js';
import type { WebhookDependencies } from '../endpoints/admission/webhook/dispatch.js';
import { liveObjects } from '../endpoints/admission/webhook/live-objects.js';
import { mutatingWebhookPlugin, validatingWebhookPlugin } from '../endpoints/admission/webhook/plugins.js';
import { endpointServiceResolver } from '../endpoints/admission/webhook/service-resolver.js';
import type { ApiCatalog } from '../endpoints/catalog.js';
import { coreObjectLookup } from '../endpoints/core-lookup.js';
import type { AdmissionPlugin } from '../registry/rest/admission.js';

/** The three plugins (each placed in the chain where upstream places it) and their shutdown. */
export interface DynamicAdmission {
  mutatingWebhook: AdmissionPlugin;
  validatingPolicy: AdmissionPlugin;
  validatingWebhook: AdmissionPlugin;
  /** Starts following the configurations (once the built-in resources are installed). */
  start(): void;
  stop(): void;
}

const GROUP = 'admissionregistration.k8s.io';

/**
 * Builds the plugins over `catalog`. Until `start`, and then until each view's first list, the
 * plugins wait (at most upstream's 10 s, then `not yet ready to handle request`).
 */
export function dynamicAdmission(catalog: ApiCatalog): DynamicAdmission {
  const lookup = coreObjectLookup(catalog);
  const mutatingConfigs = liveObjects<MutatingWebhookConfiguration>(catalog, GROUP, 'v1', 'mutatingwebhookconfigurations');
  const validatingConfigs = liveObjects<ValidatingWebhookConfiguration>(catalog, GROUP, 'v1', 'validatingwebhookconfigurations');
  const policies = liveObjects<ValidatingAdmissionPolicy>(catalog, GROUP, 'v1', 'validatingadmissionpolicies');
  const bindings = liveObjects<ValidatingAdmissionPolicyBinding>(catalog, GROUP, 'v1', 'validatingadmissionpolicybindings');
  const deps: WebhookDependencies = { catalog, lookup, resolveService: endpointServiceResolver(lookup), matchConditions: celMatchConditions() };
  return {
    mutatingWebhook: mutatingWebhookPlugin(mutatingConfigs, deps),
    validatingPolicy: validatingAdmissionPolicyPlugin({ catalog, lookup, policies, bindings }),
    validatingWebhook: validatingWebhookPlugin(validatingConfigs, deps),
    start() {
      for (const v of [mutatingConfigs, validatingConfigs, policies, bindings]) v.start();
    },
    stop() {
      for (const v of [mutatingConfigs, validatingConfigs, policies, bindings]) v.stop();
    },
  };
}
