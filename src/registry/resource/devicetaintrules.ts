/**
 * resource.k8s.io/v1alpha3 DeviceTaintRule (alpha: off unless --runtime-config turns it on):
 * a taint put on every device its selector matches. Stored as v1alpha3, its only version.
 */
import type { DeviceTaintRule } from '../../../gen/kube/resource-v1alpha3.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { defaultTaintRule } from './defaults.js';
import { validateTaint, validateTaintSelector } from './validation.js';

const validateRule = (obj: DeviceTaintRule) => [
  ...validateTaintSelector(obj.spec?.deviceSelector, 'spec.deviceSelector'),
  ...validateTaint(obj.spec?.taint, 'spec.taint'),
];

/** The DeviceTaintRule resource. */
export const deviceTaintRules: ResourceDefinition<DeviceTaintRule> = {
  ...declared('resource.k8s.io', 'devicetaintrules', { v1alpha3: { defaults: defaultTaintRule } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    validate: validateRule,
    validateUpdate: validateRule,
  },
};
