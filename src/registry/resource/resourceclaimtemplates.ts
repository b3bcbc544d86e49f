/**
 * resource.k8s.io ResourceClaimTemplate (v1beta1, the storage version, and v1beta2,
 * converted; both off unless --runtime-config turns them on): the claim spec (and claim
 * metadata) stamped out for each pod that names the template. Its spec never changes.
 */
import type { ResourceClaimTemplate } from '../../../gen/kube/resource-v1beta1.js';
import type * as v1beta2 from '../../../gen/kube/resource-v1beta2.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { validateAnnotations, validateLabels } from '../../machinery/validation/labels.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { sameStored, templateToV1beta1, templateToV1beta2 } from './conversion.js';
import { defaultTemplate } from './defaults.js';
import { validateDeviceClaim } from './validation.js';

const asV1beta2 = (obj: ResourceClaimTemplate): v1beta2.ResourceClaimTemplate => templateToV1beta2(obj as KubeObject) as v1beta2.ResourceClaimTemplate;

function validateTemplate(obj: ResourceClaimTemplate): FieldError[] {
  const meta = obj.spec?.metadata ?? {};
  return [
    ...validateLabels(meta.labels ?? {}, 'spec.metadata.labels'),
    ...validateAnnotations(meta.annotations ?? {}, 'spec.metadata.annotations'),
    ...validateDeviceClaim(asV1beta2(obj).spec?.spec?.devices, 'spec.spec.devices'),
  ];
}

/** The ResourceClaimTemplate resource. */
export const resourceClaimTemplates: ResourceDefinition<ResourceClaimTemplate> = {
  ...declared('resource.k8s.io', 'resourceclaimtemplates', {
    v1beta1: { defaults: defaultTemplate('v1beta1') },
    v1beta2: { fromStorage: templateToV1beta2, toStorage: templateToV1beta1, defaults: defaultTemplate('v1beta2') },
  }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateTemplate,
    validateUpdate(obj, old) {
      if (sameStored(obj.spec, old.spec)) return [];
      return [invalidValue('spec', asV1beta2(obj).spec ?? {}, 'field is immutable')];
    },
  },
};
