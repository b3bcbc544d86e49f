/** rbac.authorization.k8s.io/v1 Role: namespaced rules, never for non-resource URLs. */
import type { Role } from '../../../gen/kube/rbac-v1.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { roleEscalationAdmission } from './escalation.js';
import { createdAtColumn, rbacNameValidator, validatePolicyRules } from './rules.js';

/** The Role resource. */
export const roles: ResourceDefinition<Role> = {
  admission: roleEscalationAdmission<Role>('roles'),
  ...declared('rbac.authorization.k8s.io', 'roles'),
  nameValidator: rbacNameValidator,
  strategy: {
    validate: (obj) => validatePolicyRules(obj.rules, true),
    validateUpdate: (obj) => validatePolicyRules(obj.rules, true),
  },
  printsAge: false,
  printerColumns: [createdAtColumn],
};
