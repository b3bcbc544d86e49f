/** rbac.authorization.k8s.io/v1 ClusterRoleBinding: a ClusterRole granted cluster-wide; roleRef never changes. */
import type { ClusterRoleBinding } from '../../../gen/kube/rbac-v1.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { bindingEscalationAdmission } from './escalation.js';
import { bindingColumns, defaultBinding, rbacNameValidator, validateBinding, validateRoleRefUnchanged } from './rules.js';

/** The ClusterRoleBinding resource. */
export const clusterRoleBindings: ResourceDefinition<ClusterRoleBinding> = {
  admission: bindingEscalationAdmission<ClusterRoleBinding>('clusterrolebindings'),
  ...declared('rbac.authorization.k8s.io', 'clusterrolebindings', { v1: { defaults: (obj) => defaultBinding(obj as ClusterRoleBinding) } }),
  nameValidator: rbacNameValidator,
  strategy: {
    prepareForCreate: defaultBinding,
    prepareForUpdate: defaultBinding,
    validate: (obj) => validateBinding(obj, false),
    validateUpdate: (obj, old) => [...validateBinding(obj, false), ...validateRoleRefUnchanged(obj.roleRef, old.roleRef)],
  },
  printerColumns: bindingColumns<ClusterRoleBinding>(),
};
