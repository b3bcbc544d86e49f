/**
 * storage.k8s.io/v1 VolumeAttachment: cluster-scoped; an attacher (a CSI driver name), a
 * node and exactly one source (a PersistentVolume's name or an inline CSI volume spec); the
 * spec never changes once created. `/status` is where the attacher reports; a create starts
 * with an empty status.
 */
import type { PersistentVolumeSpec } from '../../../gen/kube/core-v1.js';
import type { VolumeAttachment, VolumeAttachmentStatus, VolumeError } from '../../../gen/kube/storage-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { str } from '../core/fields.js';
import { validateAccessModes, validateVolumeMode } from '../core/volume-fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateCsiDriverName } from './csi-names.js';

const MAX_METADATA_BYTES = 256 * 1024;
const MAX_ERROR_MESSAGE = 1024;
const MAX_INT32 = 2147483647;

/** Upstream's checks of a PersistentVolumeSpec carried inline: a CSI source, no claimRef or capacity. */
function validateInlineSpec(spec: PersistentVolumeSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.claimRef) errs.push(forbidden(`${path}.claimRef`, 'may not be specified in the context of inline volumes'));
  if (Object.keys(spec.capacity ?? {}).length > 0) errs.push(forbidden(`${path}.capacity`, 'may not be specified in the context of inline volumes'));
  if (!spec.csi) errs.push(required(`${path}.csi`, 'has to be specified in the context of inline volumes'));
  if ((spec.accessModes ?? []).length === 0) errs.push(required(`${path}.accessModes`));
  errs.push(...validateAccessModes(spec.accessModes, `${path}.accessModes`));
  if (spec.csi) {
    if (!str(spec.csi.driver)) errs.push(required(`${path}.csi.driver`));
    if (!str(spec.csi.volumeHandle)) errs.push(required(`${path}.csi.volumeHandle`));
  }
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  return errs;
}

function validateVolumeError(e: VolumeError | undefined, path: string): FieldError[] {
  if (!e) return [];
  const errs: FieldError[] = [];
  // Upstream checks the message against 1024 bytes but names the metadata limit in its error.
  if (str(e.message).length > MAX_ERROR_MESSAGE) errs.push({ type: 'TooLong', field: `${path}.message`, detail: `may not be more than ${MAX_METADATA_BYTES} bytes` });
  if (typeof e.errorCode === 'number' && e.errorCode < 0) errs.push(invalidValue(`${path}.errorCode`, e.errorCode, `must be between 0 and ${MAX_INT32}, inclusive`));
  return errs;
}

function validateStatus(status: VolumeAttachmentStatus | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(status?.attachmentMetadata ?? {})) size += k.length + v.length;
  if (size > MAX_METADATA_BYTES) errs.push({ type: 'TooLong', field: 'status.attachmentMetadata', detail: `may not be more than ${MAX_METADATA_BYTES} bytes` });
  errs.push(...validateVolumeError(status?.attachError, 'status.attachError'));
  errs.push(...validateVolumeError(status?.detachError, 'status.detachError'));
  return errs;
}

/** ValidateVolumeAttachment: the rules every write checks. */
function validateAttachment(obj: VolumeAttachment): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!str(spec.attacher)) errs.push(required('spec.attacher'));
  const source = spec.source ?? {};
  const pvName = source.persistentVolumeName;
  const inline = source.inlineVolumeSpec;
  const hasName = pvName !== undefined && pvName !== null;
  const hasInline = inline !== undefined && inline !== null;
  if (!hasName && !hasInline) errs.push(required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (hasName && hasInline) errs.push(forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (hasName && pvName.length === 0) errs.push(required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  else if (hasInline) errs.push(...validateInlineSpec(inline, 'spec.source.inlineVolumeSpec'));
  const node = str(spec.nodeName);
  for (const msg of isDns1123Subdomain(node)) errs.push(invalidValue('spec.nodeName', node, msg));
  errs.push(...validateStatus(obj.status));
  return errs;
}

/** The stricter checks v1 adds on create: the attacher is a CSI driver name, the PV name a valid one. */
function validateAttachmentV1(obj: VolumeAttachment): FieldError[] {
  const errs = validateCsiDriverName(str(obj.spec?.attacher), 'spec.attacher');
  const pvName = obj.spec?.source?.persistentVolumeName;
  if (typeof pvName === 'string') for (const msg of pathSegmentNameProblems(pvName)) errs.push(invalidValue('spec.source.persistentVolumeName', pvName, msg));
  return errs;
}

/** Keeps an error code only where the stored status already had one (MutableCSINodeAllocatableCount is off in 1.33). */
function dropNewErrorCode(next: VolumeError | undefined, old: VolumeError | undefined): void {
  if (next && (old?.errorCode === undefined || old.errorCode === null)) delete next.errorCode;
}

/** The VolumeAttachment resource. */
export const volumeAttachments: ResourceDefinition<VolumeAttachment> = {
  ...declared('storage.k8s.io', 'volumeattachments'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      obj.status = { attached: false };
    },
    validate: (obj) => [...validateAttachment(obj), ...validateAttachmentV1(obj)],
    validateUpdate(obj, old) {
      const errs = validateAttachment(obj);
      if (!jsonEqual(obj.spec ?? {}, old.spec ?? {})) errs.push(invalidValue('spec', obj.spec ?? {}, 'field is immutable'));
      return errs;
    },
  },
  statusStrategy: {
    prepareForUpdate(obj, old) {
      dropNewErrorCode(obj.status?.attachError, old.status?.attachError);
      dropNewErrorCode(obj.status?.detachError, old.status?.detachError);
    },
    validateUpdate: validateAttachment,
  },
  printerColumns: [
    { name: 'Attacher', type: 'string', description: 'The name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().', cell: (obj) => str(obj.spec?.attacher) },
    { name: 'PV', type: 'string', description: 'persistentVolumeName represents the name of the persistent volume to attach.', cell: (obj) => str(obj.spec?.source?.persistentVolumeName) },
    { name: 'Node', type: 'string', description: 'nodeName represents the node that the volume should be attached to.', cell: (obj) => str(obj.spec?.nodeName) },
    { name: 'Attached', type: 'boolean', description: 'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.', cell: (obj) => obj.status?.attached ?? false },
  ],
};
