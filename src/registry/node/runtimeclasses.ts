/**
 * node.k8s.io/v1 RuntimeClass: a handler (a DNS label, fixed once set), optional pod
 * overhead quantities and scheduling constraints.
 */
import type { RuntimeClass } from '../../../gen/kube/node-v1.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { validateLabels } from '../../machinery/validation/labels.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { parseQuantity } from '../../machinery/validation/quantity.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

function validateRuntimeClass(obj: RuntimeClass): FieldError[] {
  const errs: FieldError[] = [];
  const handler = str(obj.handler);
  if (!handler) errs.push(required('handler'));
  else for (const msg of isDns1123Label(handler)) errs.push(invalidValue('handler', handler, msg));
  for (const [name, value] of Object.entries(obj.overhead?.podFixed ?? {})) {
    const q = parseQuantity(value);
    if (q !== undefined && q < 0) errs.push(invalidValue(`overhead.podFixed[${name}]`, value, 'must be greater than or equal to 0'));
  }
  const nodeSelector = obj.scheduling?.nodeSelector;
  if (nodeSelector) errs.push(...validateLabels(nodeSelector, 'scheduling.nodeSelector'));
  return errs;
}

/** The RuntimeClass resource. */
export const runtimeClasses: ResourceDefinition<RuntimeClass> = {
  ...declared('node.k8s.io', 'runtimeclasses'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateRuntimeClass,
    validateUpdate(obj, old) {
      const errs = validateRuntimeClass(obj);
      if (str(obj.handler) !== str(old.handler)) errs.push(invalidValue('handler', obj.handler ?? '', 'field is immutable'));
      return errs;
    },
  },
  printerColumns: [{ name: 'Handler', type: 'string', description: 'Handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.', cell: (obj) => str(obj.handler) }],
};
