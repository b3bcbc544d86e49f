/** core/v1 ServiceAccount: a named identity; its secret references are object names. */
import type { ServiceAccount } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { str } from './fields.js';
import { declared } from '../rest/declared.js';
import { serviceAccountToken } from './serviceaccount-token.js';

function validateServiceAccount(obj: ServiceAccount): FieldError[] {
  const errs: FieldError[] = [];
  (obj.imagePullSecrets ?? []).forEach((ref, i) => {
    const name = str(ref.name);
    if (name) for (const msg of isDns1123Subdomain(name)) errs.push(invalidValue(`imagePullSecrets[${i}].name`, name, msg));
  });
  return errs;
}

/** The ServiceAccount resource. */
export const serviceAccounts: ResourceDefinition<ServiceAccount> = {
  ...declared('', 'serviceaccounts'),
  nameValidator: isDns1123Subdomain,
  actions: [serviceAccountToken],
  strategy: {
    validate: validateServiceAccount,
    validateUpdate: (obj) => validateServiceAccount(obj),
  },
  printerColumns: [
    { name: 'Secrets', type: 'integer', description: 'The number of secrets of the service account', cell: (obj) => (obj.secrets ?? []).length },
  ],
};
