/** admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: stored and validated; calling the webhooks is a later step. */
import type { MutatingWebhookConfiguration } from '../../../gen/kube/admissionregistration-v1.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { defaultMutatingWebhook, validateWebhooks } from './rules.js';

function defaults(obj: MutatingWebhookConfiguration): void {
  for (const hook of obj.webhooks ?? []) defaultMutatingWebhook(hook);
}

/** The MutatingWebhookConfiguration resource. */
export const mutatingWebhookConfigurations: ResourceDefinition<MutatingWebhookConfiguration> = {
  ...declared('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', { v1: { defaults: (obj) => defaults(obj as MutatingWebhookConfiguration) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaults,
    prepareForUpdate: defaults,
    validate: (obj) => validateWebhooks(obj.webhooks, true),
    validateUpdate: (obj) => validateWebhooks(obj.webhooks, true),
  },
  printerColumns: [
    { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks registered in this configuration', cell: (obj) => (obj.webhooks ?? []).length },
  ],
};
