/**
 * core/v1 PersistentVolumeClaim: Pending and Filesystem by default, at least one access mode
 * and a storage request required. `/status`.
 */
import type { PersistentVolumeClaim } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { parseQuantity } from '../../machinery/validation/quantity.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, setDefault, str } from './fields.js';
import { accessModesCell, storageClassOf, validateAccessModes, validateVolumeMode } from './volume-fields.js';

/** Decode-time defaults of a claim (and of a StatefulSet's claim templates). */
export function defaultClaim(obj: PersistentVolumeClaim): void {
  setDefault(child(obj, 'spec'), 'volumeMode', 'Filesystem');
  const status = child(obj, 'status');
  if (!str(status.phase)) status.phase = 'Pending';
}

function validateClaim(obj: PersistentVolumeClaim): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if ((spec.accessModes ?? []).length === 0) errs.push(required('spec.accessModes', 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required('spec.resources[storage]', ''));
  else if ((parseQuantity(storage) ?? 0) <= 0) errs.push(invalidValue('spec.resources[storage]', storage, 'must be greater than zero'));
  const cls = spec.storageClassName;
  if (cls) for (const msg of isDns1123Subdomain(cls)) errs.push(invalidValue('spec.storageClassName', cls, msg));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

/** The PersistentVolumeClaim resource. */
export const persistentVolumeClaims: ResourceDefinition<PersistentVolumeClaim> = {
  ...declared('', 'persistentvolumeclaims', { v1: { defaults: (obj) => defaultClaim(obj as PersistentVolumeClaim) } }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      // Status is the controllers'; a new claim is Pending (upstream defaults it on every read).
      obj.status = { phase: 'Pending' };
      setDefault(child(obj, 'spec'), 'volumeMode', 'Filesystem');
    },
    prepareForUpdate(obj) {
      setDefault(child(obj, 'spec'), 'volumeMode', 'Filesystem');
    },
    validate: validateClaim,
    validateUpdate: validateClaim,
  },
  statusStrategy: {},
  printerColumns: [
    {
      name: 'Status',
      type: 'string',
      description: 'Phase represents the current phase of PersistentVolumeClaim.',
      cell: (obj) => (obj.metadata?.deletionTimestamp ? 'Terminating' : str(obj.status?.phase)),
    },
    { name: 'Volume', type: 'string', description: 'VolumeName is the binding reference to the PersistentVolume backing this claim.', cell: (obj) => str(obj.spec?.volumeName) },
    {
      name: 'Capacity',
      type: 'string',
      description: 'Capacity represents the actual resources of the underlying volume.',
      cell: (obj) => (str(obj.spec?.volumeName) ? str(obj.status?.capacity?.storage) : ''),
    },
    {
      name: 'Access Modes',
      type: 'string',
      description: 'AccessModes contains the actual access modes the volume backing the PVC has.',
      cell: (obj) => (str(obj.spec?.volumeName) ? accessModesCell(obj.status?.accessModes) : ''),
    },
    { name: 'StorageClass', type: 'string', description: 'StorageClassName is the name of the StorageClass required by the claim.', cell: (obj) => storageClassOf(obj.metadata, obj.spec?.storageClassName) },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      description: 'VolumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
      cell: (obj) => str(obj.spec?.volumeAttributesClassName) || '<unset>',
    },
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines what type of volume is required by the claim.', cell: (obj) => str(obj.spec?.volumeMode) || '<unset>' },
  ],
};
