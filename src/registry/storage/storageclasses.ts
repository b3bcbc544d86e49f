/**
 * storage.k8s.io/v1 StorageClass: reclaimPolicy defaults to Delete and volumeBindingMode to
 * Immediate; provisioner, parameters and reclaimPolicy never change once set.
 */
import type { StorageClass } from '../../../gen/kube/storage-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isQualifiedName, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateClassParameters, validateProvisionerName } from './class-fields.js';

/** Decode-time defaults (storage/v1 SetDefaults_StorageClass). */
function defaultStorageClass(obj: StorageClass): void {
  if (obj.reclaimPolicy === undefined || obj.reclaimPolicy === null) obj.reclaimPolicy = 'Delete';
  if (obj.volumeBindingMode === undefined || obj.volumeBindingMode === null) obj.volumeBindingMode = 'Immediate';
}

function validateStorageClass(obj: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateProvisionerName(str(obj.provisioner), 'provisioner'));
  errs.push(...validateClassParameters(obj.parameters, 'parameters', true));
  const policy = obj.reclaimPolicy;
  if (policy !== 'Delete' && policy !== 'Retain') errs.push(notSupported('reclaimPolicy', policy ?? '', ['Delete', 'Retain']));
  const mode = obj.volumeBindingMode;
  if (mode === undefined || mode === null) errs.push(required('volumeBindingMode'));
  else if (mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') errs.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  (obj.allowedTopologies ?? []).forEach((term, i) => {
    const exprs = term.matchLabelExpressions ?? [];
    if (exprs.length === 0) errs.push(required(`allowedTopologies[${i}].matchLabelExpressions`, 'must contain at least one key value pair'));
    exprs.forEach((req, j) => {
      const p = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      for (const msg of isQualifiedName(str(req.key))) errs.push(invalidValue(`${p}.key`, str(req.key), msg));
      if ((req.values ?? []).length === 0) errs.push(required(`${p}.values`, 'must specify as least one value'));
    });
  });
  return errs;
}

/** The StorageClass resource. */
export const storageClasses: ResourceDefinition<StorageClass> = {
  ...declared('storage.k8s.io', 'storageclasses', { v1: { defaults: (obj) => defaultStorageClass(obj as StorageClass) } }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate: defaultStorageClass,
    prepareForUpdate: defaultStorageClass,
    validate: validateStorageClass,
    validateUpdate(obj, old) {
      const errs = validateStorageClass(obj);
      if (!jsonEqual(obj.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
      if (str(obj.provisioner) !== str(old.provisioner)) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
      if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
      if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push(invalidValue('volumeBindingMode', obj.volumeBindingMode ?? '', 'field is immutable'));
      return errs;
    },
  },
  printerColumns: [
    { name: 'Provisioner', type: 'string', description: 'Indicates the type of the provisioner.', cell: (obj) => str(obj.provisioner) },
    { name: 'ReclaimPolicy', type: 'string', description: 'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy. Defaults to Delete.', cell: (obj) => obj.reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', description: 'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.', cell: (obj) => obj.volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'AllowVolumeExpansion shows whether the storage class allow volume expand.', cell: (obj) => String(obj.allowVolumeExpansion ?? false) },
  ],
};


