/**
 * coordination.k8s.io/v1 Lease: a holder and its renewals. Durations are positive and
 * transitions never negative; the coordinated-leader-election fields (strategy,
 * preferredHolder) are dropped, as upstream does while that feature gate is off (1.33).
 */
import type { Lease } from '../../../gen/kube/coordination-v1.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

function dropGatedFields(obj: Lease, old?: Lease): void {
  const spec = obj.spec;
  if (!spec) return;
  if (old?.spec?.strategy === undefined || old.spec.strategy === null) delete spec.strategy;
  if (old?.spec?.preferredHolder === undefined || old.spec.preferredHolder === null) delete spec.preferredHolder;
}

function validateLease(obj: Lease): FieldError[] {
  const errs: FieldError[] = [];
  const duration = num(obj.spec?.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) errs.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(obj.spec?.leaseTransitions);
  if (transitions !== undefined && transitions < 0) errs.push(invalidValue('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return errs;
}

/** The Lease resource. */
export const leases: ResourceDefinition<Lease> = {
  ...declared('coordination.k8s.io', 'leases'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate: (obj) => dropGatedFields(obj),
    prepareForUpdate: (obj, old) => dropGatedFields(obj, old),
    validate: validateLease,
    validateUpdate: validateLease,
  },
  printerColumns: [{ name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', cell: (obj) => str(obj.spec?.holderIdentity) }],
};
