/**
 * rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide rules (non-resource URLs allowed)
 * and an optional aggregation rule whose selectors name the roles it gathers.
 */
import type { ClusterRole } from '../../../gen/kube/rbac-v1.js';
import { type FieldError, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { roleEscalationAdmission } from './escalation.js';
import { createdAtColumn, rbacNameValidator, validatePolicyRules } from './rules.js';

function validateClusterRole(obj: ClusterRole): FieldError[] {
  const errs = validatePolicyRules(obj.rules, false);
  const rule = obj.aggregationRule;
  if (rule !== undefined && rule !== null) {
    const selectors = rule.clusterRoleSelectors ?? [];
    if (selectors.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

/** The ClusterRole resource. */
export const clusterRoles: ResourceDefinition<ClusterRole> = {
  admission: roleEscalationAdmission<ClusterRole>('clusterroles'),
  ...declared('rbac.authorization.k8s.io', 'clusterroles'),
  nameValidator: rbacNameValidator,
  strategy: { validate: validateClusterRole, validateUpdate: validateClusterRole },
  printsAge: false,
  printerColumns: [createdAtColumn],
};
