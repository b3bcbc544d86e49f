/** admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration: stored and validated; calling the webhooks is a later step. */
import type { ValidatingWebhookConfiguration } from '../../../gen/kube/admissionregistration-v1.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { defaultWebhook, validateWebhooks } from './rules.js';

function defaults(obj: ValidatingWebhookConfiguration): void {
  for (const hook of obj.webhooks ?? []) defaultWebhook(hook);
}

/** The ValidatingWebhookConfiguration resource. */
export const validatingWebhookConfigurations: ResourceDefinition<ValidatingWebhookConfiguration> = {
  ...declared('admissionregistration.k8s.io', 'validatingwebhookconfigurations', { v1: { defaults: (obj) => defaults(obj as ValidatingWebhookConfiguration) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaults,
    prepareForUpdate: defaults,
    validate: (obj) => validateWebhooks(obj.webhooks, false),
    validateUpdate: (obj) => validateWebhooks(obj.webhooks, false),
  },
  printerColumns: [
    { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks registered in this configuration', cell: (obj) => (obj.webhooks ?? []).length },
  ],
};
