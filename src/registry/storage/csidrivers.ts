/**
 * storage.k8s.io/v1 CSIDriver: cluster-scoped, named after the driver. Upstream's defaults
 * (attach required, no pod info on mount, no capacity tracking, the ReadWriteOnceWithFSType
 * fsGroup policy, Persistent volumes, no republish, no SELinux mount), attachRequired and
 * volumeLifecycleModes fixed once set, metadata.generation counting spec changes.
 */
import type { CSIDriver, CSIDriverSpec } from '../../../gen/kube/storage-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { child } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];
const LIFECYCLE_MODES = ['Persistent', 'Ephemeral'];
const MIN_TOKEN_SECONDS = 10 * 60;
const MAX_TOKEN_SECONDS = 2 ** 32;
const MIN_ALLOCATABLE_PERIOD = 10;

const unset = (v: unknown): boolean => v === undefined || v === null;

/** Decode-time defaults (storage/v1 SetDefaults_CSIDriver, with 1.33's default feature gates). */
function defaultDriver(obj: CSIDriver): void {
  const spec = child(obj, 'spec');
  if (unset(spec.attachRequired)) spec.attachRequired = true;
  if (unset(spec.podInfoOnMount)) spec.podInfoOnMount = false;
  if (unset(spec.storageCapacity)) spec.storageCapacity = false;
  if (unset(spec.fsGroupPolicy)) spec.fsGroupPolicy = 'ReadWriteOnceWithFSType';
  if ((spec.volumeLifecycleModes ?? []).length === 0) spec.volumeLifecycleModes = ['Persistent'];
  if (unset(spec.requiresRepublish)) spec.requiresRepublish = false;
  if (unset(spec.seLinuxMount)) spec.seLinuxMount = false;
}

/**
 * Fields whose feature gates are off in 1.33 (MutableCSINodeAllocatableCount is alpha; the
 * other two arrived later): dropped unless the stored object already has them.
 */
const GATED_OFF = ['nodeAllocatableUpdatePeriodSeconds', 'serviceAccountTokenInSecrets', 'preventPodSchedulingIfMissing'] as const;

function dropGatedFields(spec: CSIDriverSpec, old?: CSIDriverSpec): void {
  for (const f of GATED_OFF) if (!old || unset(old[f])) delete spec[f];
}

function validateSpec(spec: CSIDriverSpec): FieldError[] {
  const errs: FieldError[] = [];
  // Upstream's path for attachRequired carries its historical spelling.
  if (unset(spec.attachRequired)) errs.push(required('spec.attachedRequired'));
  if (unset(spec.podInfoOnMount)) errs.push(required('spec.podInfoOnMount'));
  if (unset(spec.storageCapacity)) errs.push(required('spec.storageCapacity'));
  if (!unset(spec.fsGroupPolicy) && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy!)) errs.push(notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES));
  const audiences = new Set<string>();
  (spec.tokenRequests ?? []).forEach((t, i) => {
    const p = `spec.tokenRequests[${i}]`;
    const audience = t.audience ?? '';
    if (audiences.has(audience)) {
      errs.push({ type: 'Duplicate', field: `${p}.audience`, value: audience, detail: '' });
      return;
    }
    audiences.add(audience);
    const seconds = t.expirationSeconds;
    if (typeof seconds !== 'number') return;
    if (seconds < MIN_TOKEN_SECONDS) errs.push(invalidValue(`${p}.expirationSeconds`, seconds, 'may not specify a duration less than 10 minutes'));
    if (seconds > MAX_TOKEN_SECONDS) errs.push(invalidValue(`${p}.expirationSeconds`, seconds, 'may not specify a duration larger than 2^32 seconds'));
  });
  for (const mode of spec.volumeLifecycleModes ?? []) if (!LIFECYCLE_MODES.includes(mode)) errs.push(notSupported('spec.volumeLifecycleModes', mode, LIFECYCLE_MODES));
  if (unset(spec.seLinuxMount)) errs.push(required('spec.seLinuxMount'));
  const period = spec.nodeAllocatableUpdatePeriodSeconds;
  if (typeof period === 'number' && period < MIN_ALLOCATABLE_PERIOD) {
    errs.push(invalidValue('spec.nodeAllocatableUpdatePeriodSeconds', period, 'must be greater than or equal to 10 seconds'));
  }
  return errs;
}

/** The CSIDriver resource. */
export const csiDrivers: ResourceDefinition<CSIDriver> = {
  ...declared('storage.k8s.io', 'csidrivers', { v1: { defaults: (obj) => defaultDriver(obj as CSIDriver) } }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      defaultDriver(obj);
      dropGatedFields(child(obj, 'spec'));
    },
    prepareForUpdate(obj, old) {
      defaultDriver(obj);
      dropGatedFields(child(obj, 'spec'), old.spec ?? {});
      // Any spec change counts as a new generation (upstream's strategy; creates keep none).
      if (!jsonEqual(obj.spec, old.spec ?? {})) {
        const meta = child(obj, 'metadata');
        meta.generation = (old.metadata?.generation ?? 0) + 1;
      }
    },
    validate: (obj) => validateSpec(obj.spec ?? {}),
    validateUpdate(obj, old) {
      const errs = validateSpec(obj.spec ?? {});
      const spec = obj.spec ?? {};
      const before = old.spec ?? {};
      if (!jsonEqual(spec.attachRequired ?? null, before.attachRequired ?? null)) errs.push(invalidValue('spec.attachedRequired', spec.attachRequired ?? null, 'field is immutable'));
      if (!jsonEqual(spec.volumeLifecycleModes ?? null, before.volumeLifecycleModes ?? null)) {
        errs.push(invalidValue('spec.volumeLifecycleModes', spec.volumeLifecycleModes ?? null, 'field is immutable'));
      }
      return errs;
    },
  },
  printerColumns: [
    { name: 'AttachRequired', type: 'boolean', description: 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.', cell: (obj) => obj.spec?.attachRequired ?? true },
    { name: 'PodInfoOnMount', type: 'boolean', description: 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.', cell: (obj) => obj.spec?.podInfoOnMount ?? false },
    { name: 'StorageCapacity', type: 'boolean', description: 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.', cell: (obj) => obj.spec?.storageCapacity ?? false },
    {
      name: 'TokenRequests',
      type: 'string',
      description: 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.',
      cell: (obj) => (obj.spec?.tokenRequests ? obj.spec.tokenRequests.map((t) => t.audience ?? '').join(',') : '<unset>'),
    },
    { name: 'RequiresRepublish', type: 'boolean', description: 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.', cell: (obj) => obj.spec?.requiresRepublish ?? false },
    {
      name: 'Modes',
      type: 'string',
      description: 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.',
      cell: (obj) => (obj.spec?.volumeLifecycleModes ?? []).join(',') || '<none>',
    },
  ],
};
