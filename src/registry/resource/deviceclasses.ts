/**
 * resource.k8s.io DeviceClass (v1beta1, the storage version, and v1beta2; both off unless
 * --runtime-config turns them on, as upstream 1.33): selectors and configuration a claim's
 * requests pick by name. The two versions share the class's shape.
 */
import type { DeviceClass } from '../../../gen/kube/resource-v1beta1.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateDeviceClassSpec } from './validation.js';

/** The DeviceClass resource. */
export const deviceClasses: ResourceDefinition<DeviceClass> = {
  ...declared('resource.k8s.io', 'deviceclasses'),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    validate: (obj) => validateDeviceClassSpec(obj.spec, 'spec'),
    validateUpdate: (obj) => validateDeviceClassSpec(obj.spec, 'spec'),
  },
};
