/**
 * storage.k8s.io/v1beta1 VolumeAttributesClass (beta in 1.33 and, as upstream, off unless
 * --runtime-config turns storage.k8s.io/v1beta1 on; stored as v1beta1, and served as the
 * alpha v1alpha1 too when that is turned on): a CSI driver name and at least one
 * parameter, neither of which changes once set.
 */
import type { VolumeAttributesClass } from '../../../gen/kube/storage-v1beta1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateClassParameters, validateProvisionerName } from './class-fields.js';

function validateClass(obj: VolumeAttributesClass): FieldError[] {
  return [...validateProvisionerName(str(obj.driverName), 'driverName'), ...validateClassParameters(obj.parameters, 'parameters', false)];
}

/** The VolumeAttributesClass resource. */
export const volumeAttributesClasses: ResourceDefinition<VolumeAttributesClass> = {
  ...declared('storage.k8s.io', 'volumeattributesclasses'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateClass,
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (str(obj.driverName) !== str(old.driverName)) errs.push(forbidden('driverName', 'updates to driverName are forbidden.'));
      if (!jsonEqual(obj.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
      return [...errs, ...validateClass(obj)];
    },
  },
  printerColumns: [
    { name: 'DriverName', type: 'string', description: 'Name of the CSI driver This field is immutable.', cell: (obj) => str(obj.driverName) },
  ],
};
