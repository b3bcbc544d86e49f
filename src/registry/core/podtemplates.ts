/** core/v1 PodTemplate: a stored pod template, defaulted and validated as every embedded template. */
import type { PodTemplate } from '../../../gen/kube/core-v1.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, str } from './fields.js';
import { defaultPodTemplate, validatePodTemplate } from './pod-spec.js';

function defaultTemplate(obj: PodTemplate): void {
  defaultPodTemplate(child(obj, 'template'));
}

/** The PodTemplate resource. */
export const podTemplates: ResourceDefinition<PodTemplate> = {
  ...declared('', 'podtemplates', { v1: { defaults: (obj) => defaultTemplate(obj as PodTemplate) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaultTemplate,
    prepareForUpdate: defaultTemplate,
    validate: (obj) => validatePodTemplate(obj.template, 'template'),
    validateUpdate: (obj) => validatePodTemplate(obj.template, 'template'),
  },
  printsAge: false,
  printerColumns: [
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.', cell: (obj) => (obj.template?.spec?.containers ?? []).map((c) => str(c.name)).join(',') },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', cell: (obj) => (obj.template?.spec?.containers ?? []).map((c) => str(c.image)).join(',') },
    {
      name: 'Pod Labels',
      type: 'string',
      description: 'Labels of the pods the template creates.',
      cell: (obj) => {
        const labels = Object.entries(obj.template?.metadata?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return labels.length === 0 ? '<none>' : labels.map(([k, v]) => `${k}=${v}`).join(',');
      },
    },
  ],
};
