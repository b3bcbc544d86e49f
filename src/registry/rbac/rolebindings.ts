/** rbac.authorization.k8s.io/v1 RoleBinding: a Role or ClusterRole granted in one namespace; roleRef never changes. */
import type { RoleBinding } from '../../../gen/kube/rbac-v1.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { bindingEscalationAdmission } from './escalation.js';
import { bindingColumns, defaultBinding, rbacNameValidator, validateBinding, validateRoleRefUnchanged } from './rules.js';

/** The RoleBinding resource. */
export const roleBindings: ResourceDefinition<RoleBinding> = {
  admission: bindingEscalationAdmission<RoleBinding>('rolebindings'),
  ...declared('rbac.authorization.k8s.io', 'rolebindings', { v1: { defaults: (obj) => defaultBinding(obj as RoleBinding) } }),
  nameValidator: rbacNameValidator,
  strategy: {
    prepareForCreate: defaultBinding,
    prepareForUpdate: defaultBinding,
    validate: (obj) => validateBinding(obj, true),
    validateUpdate: (obj, old) => [...validateBinding(obj, true), ...validateRoleRefUnchanged(obj.roleRef, old.roleRef)],
  },
  printerColumns: bindingColumns<RoleBinding>(),
};
