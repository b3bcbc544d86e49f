/**
 * resource.k8s.io ResourceClaim (v1beta1, the storage version, and v1beta2, converted; both
 * off unless --runtime-config turns them on). The spec never changes once created; the
 * scheduler's allocation and the consumers holding the claim are written through `/status`.
 */
import type { ResourceClaim } from '../../../gen/kube/resource-v1beta1.js';
import type * as v1beta2 from '../../../gen/kube/resource-v1beta2.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { claimToV1beta1, claimToV1beta2, sameStored } from './conversion.js';
import { defaultClaim } from './defaults.js';
import { validateClaimStatus, validateDeviceClaim } from './validation.js';

const asV1beta2 = (obj: ResourceClaim): v1beta2.ResourceClaim => claimToV1beta2(obj as KubeObject) as v1beta2.ResourceClaim;

/** Upstream's STATE column: deleted, then pending or allocated (and reserved). */
export function claimState(obj: ResourceClaim): string {
  const states: string[] = [];
  const deleting = Boolean(obj.metadata?.deletionTimestamp);
  if (deleting) states.push('deleted');
  if (!obj.status?.allocation) {
    if (!deleting) states.push('pending');
  } else {
    states.push('allocated');
    if ((obj.status.reservedFor ?? []).length > 0) states.push('reserved');
  }
  return states.join(',');
}

/** The ResourceClaim resource. */
export const resourceClaims: ResourceDefinition<ResourceClaim> = {
  ...declared('resource.k8s.io', 'resourceclaims', {
    v1beta1: { defaults: defaultClaim('v1beta1') },
    v1beta2: { fromStorage: claimToV1beta2, toStorage: claimToV1beta1, defaults: defaultClaim('v1beta2') },
  }),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      delete obj.status;
    },
    validate: (obj) => validateDeviceClaim(asV1beta2(obj).spec?.devices, 'spec.devices'),
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (!sameStored(obj.spec, old.spec)) errs.push(invalidValue('spec', asV1beta2(obj).spec ?? {}, 'field is immutable'));
      return errs;
    },
  },
  statusStrategy: {
    validateUpdate: (obj, old) => validateClaimStatus(asV1beta2(obj), asV1beta2(old)),
  },
  printerColumns: [{ name: 'State', type: 'string', description: 'A summary of the current state (allocated, pending, reserved, etc.).', cell: claimState }],
};
