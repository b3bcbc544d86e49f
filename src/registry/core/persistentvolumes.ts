/**
 * core/v1 PersistentVolume: cluster-scoped; Retain and Filesystem by default, Pending when
 * created; one volume source, access modes and a storage capacity required. `/status`.
 */
import type { PersistentVolume, PersistentVolumeSpec } from '../../../gen/kube/core-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { child, setDefault, str } from './fields.js';
import { accessModesCell, storageClassOf, validateAccessModes, validateVolumeMode } from './volume-fields.js';

const RECLAIM = ['Delete', 'Recycle', 'Retain'];

/** The persistentVolumeSource members, inline in the spec. */
const SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
] as const;

function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Decode-time defaults (SetDefaults_PersistentVolume). */
function defaultVolume(obj: PersistentVolume): void {
  const spec = child(obj, 'spec');
  if (!str(spec.persistentVolumeReclaimPolicy)) spec.persistentVolumeReclaimPolicy = 'Retain';
  setDefault(spec, 'volumeMode', 'Filesystem');
  // SetDefaults_HostPathVolumeSource: an unset type is the empty HostPathType.
  if (spec.hostPath && typeof spec.hostPath === 'object') setDefault(spec.hostPath, 'type', '');
}

function validateVolume(obj: PersistentVolume): FieldError[] {
  const spec: PersistentVolumeSpec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if ((spec.accessModes ?? []).length === 0) errs.push(required('spec.accessModes', ''));
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required('spec.capacity', ''));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', Object.keys(capacity), ['storage']));
  const reclaim = str(spec.persistentVolumeReclaimPolicy);
  if (reclaim && !RECLAIM.includes(reclaim)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', reclaim, RECLAIM));
  const set = SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (set.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const extra of set.slice(1)) errs.push(forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !str(spec.hostPath.path)) errs.push(required('spec.hostPath.path', ''));
  if (spec.local && !str(spec.local.path)) errs.push(required('spec.local.path', ''));
  if (spec.csi) {
    if (!str(spec.csi.driver)) errs.push(required('spec.csi.driver', ''));
    if (!str(spec.csi.volumeHandle)) errs.push(required('spec.csi.volumeHandle', ''));
  }
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

function validateVolumeUpdate(obj: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateVolume(obj);
  if (!jsonEqual(obj.spec?.volumeMode, old.spec?.volumeMode)) errs.push(invalidValue('spec.volumeMode', obj.spec?.volumeMode ?? null, 'field is immutable'));
  if (old.spec?.nodeAffinity && !jsonEqual(obj.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(invalidValue('spec.nodeAffinity', obj.spec?.nodeAffinity ?? null, 'field is immutable'));
  }
  return errs;
}

/** The PersistentVolume resource. */
export const persistentVolumes: ResourceDefinition<PersistentVolume> = {
  ...declared('', 'persistentvolumes', { v1: { defaults: (obj) => defaultVolume(obj as PersistentVolume) } }),
  nameValidator: pathSegmentNameProblems,
  strategy: {
    prepareForCreate(obj) {
      defaultVolume(obj);
      obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339Now() };
    },
    prepareForUpdate: defaultVolume,
    validate: validateVolume,
    validateUpdate: validateVolumeUpdate,
  },
  statusStrategy: {
    prepareForUpdate(obj, old) {
      // A phase change records when it happened, unless the writer said so itself.
      const status = child(obj, 'status');
      if (status.phase !== old.status?.phase && jsonEqual(status.lastPhaseTransitionTime, old.status?.lastPhaseTransitionTime)) {
        status.lastPhaseTransitionTime = rfc3339Now();
      }
    },
  },
  printerColumns: [
    { name: 'Capacity', type: 'string', description: 'capacity is the description of the persistent volume\'s resources and capacity.', cell: (obj) => str(obj.spec?.capacity?.storage) },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains all ways the volume can be mounted.', cell: (obj) => accessModesCell(obj.spec?.accessModes) },
    { name: 'Reclaim Policy', type: 'string', description: 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', cell: (obj) => str(obj.spec?.persistentVolumeReclaimPolicy) },
    { name: 'Status', type: 'string', description: 'phase indicates if a volume is available, bound to a claim, or released by a claim.', cell: (obj) => (obj.metadata?.deletionTimestamp ? 'Terminating' : str(obj.status?.phase)) },
    {
      name: 'Claim',
      type: 'string',
      description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
      cell: (obj) => (obj.spec?.claimRef ? `${str(obj.spec.claimRef.namespace)}/${str(obj.spec.claimRef.name)}` : ''),
    },
    { name: 'StorageClass', type: 'string', description: 'storageClassName is the name of StorageClass to which this persistent volume belongs.', cell: (obj) => storageClassOf(obj.metadata, obj.spec?.storageClassName) },
    {
      name: 'VolumeAttributesClass',
      type: 'string',
      description: 'Name of VolumeAttributesClass to which this persistent volume belongs.',
      cell: (obj) => str(obj.spec?.volumeAttributesClassName) || '<unset>',
    },
    { name: 'Reason', type: 'string', description: 'reason is a brief CamelCase string that describes any failure.', cell: (obj) => str(obj.status?.reason) },
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', cell: (obj) => str(obj.spec?.volumeMode) || '<unset>' },
  ],
};
