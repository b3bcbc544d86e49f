/**
 * storage.k8s.io/v1 CSIStorageCapacity: namespaced; a storage class name (a DNS subdomain),
 * an optional node topology selector and a non-negative capacity. The topology and class
 * are the inputs of the driver's capacity query, so they never change once set.
 */
import type { CSIStorageCapacity } from '../../../gen/kube/storage-v1.js';
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain, isValidLabelValue } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { compareQuantities } from '../core/resource-lists.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

/** Problems of the selector's expression values as label values (what upstream's AllowInvalidLabelValueInSelector waives). */
function expressionValueErrors(selector: LabelSelector | undefined): FieldError[] {
  return (selector?.matchExpressions ?? []).flatMap((e, i) =>
    (e.values ?? []).flatMap((value, j) => isValidLabelValue(value).map((msg) => invalidValue(`nodeTopology.matchExpressions[${i}].values[${j}]`, value, msg))),
  );
}

/** `allowInvalidValues`: an update of an object whose stored selector already had such values. */
function validateCapacity(obj: CSIStorageCapacity, allowInvalidValues = false): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.nodeTopology) {
    errs.push(...validateLabelSelector(obj.nodeTopology, 'nodeTopology'));
    if (!allowInvalidValues) errs.push(...expressionValueErrors(obj.nodeTopology));
  }
  const className = str(obj.storageClassName);
  for (const msg of isDns1123Subdomain(className)) errs.push(invalidValue('storageClassName', className, msg));
  const capacity = obj.capacity;
  if (capacity !== undefined && capacity !== null && (compareQuantities(capacity, '0') ?? 0) < 0) {
    errs.push(invalidValue('capacity', capacity, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** The CSIStorageCapacity resource. */
export const csiStorageCapacities: ResourceDefinition<CSIStorageCapacity> = {
  ...declared('storage.k8s.io', 'csistoragecapacities'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: (obj) => validateCapacity(obj),
    validateUpdate(obj, old) {
      const errs = validateCapacity(obj, expressionValueErrors(old.nodeTopology).length > 0);
      const topology: LabelSelector | null = obj.nodeTopology ?? null;
      if (!jsonEqual(topology, old.nodeTopology ?? null)) errs.push(invalidValue('nodeTopology', topology, 'field is immutable'));
      if (str(obj.storageClassName) !== str(old.storageClassName)) errs.push(invalidValue('storageClassName', str(obj.storageClassName), 'field is immutable'));
      return errs;
    },
  },
  printsAge: false,
  printerColumns: [
    { name: 'StorageClassName', type: 'string', description: 'storageClassName represents the name of the StorageClass that the reported capacity applies to.', cell: (obj) => str(obj.storageClassName) },
    { name: 'Capacity', type: 'string', description: 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.', cell: (obj) => (obj.capacity === undefined || obj.capacity === null ? '<unset>' : String(obj.capacity)) },
  ],
};
