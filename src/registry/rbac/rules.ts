/**
 * rbac.authorization.k8s.io/v1 rules shared by the four kinds: names are path segments,
 * policy rules, role references and subjects as upstream's RBAC validation checks them,
 * and the v1 defaults of role references and subjects.
 */
import type { PolicyRule, RoleBinding, RoleRef, Subject } from '../../../gen/kube/rbac-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, type GoType, goValue, GO_STRING, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { str } from '../core/fields.js';
import { CREATED_AT_COLUMN } from '../rest/definition.js';

/** The group of every role reference, and of User and Group subjects. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** RBAC objects need only be safe as one path segment. */
export const rbacNameValidator = pathSegmentNameProblems;

/** The rules of a Role (namespaced: no non-resource URLs) or a ClusterRole. */
export function validatePolicyRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((rule, i) => {
    const path = `rules[${i}]`;
    const verbs = rule.verbs ?? [];
    const groups = rule.apiGroups ?? [];
    const resources = rule.resources ?? [];
    const names = rule.resourceNames ?? [];
    const urls = rule.nonResourceURLs ?? [];
    if (verbs.length === 0) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
    if (urls.length > 0) {
      if (namespaced) errs.push(invalidValue(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
      if (groups.length > 0 || resources.length > 0 || names.length > 0) {
        errs.push(invalidValue(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (groups.length === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
    if (resources.length === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
    if (names.length > 0 && resources.length > 1) errs.push(required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'));
  });
  return errs;
}

/** v1 defaults of a binding: the role reference's group, and each subject's group by kind. */
export function defaultBinding(obj: RoleBinding): void {
  if (obj.roleRef && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = RBAC_GROUP;
  for (const subject of obj.subjects ?? []) {
    if (subject.apiGroup) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
    else if (subject.kind === 'ServiceAccount') subject.apiGroup = '';
  }
}

function validateSubject(subject: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(subject.name);
  const group = str(subject.apiGroup);
  if (name === '') errs.push(required(`${path}.name`));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name !== '') for (const msg of isDns1123Subdomain(name)) errs.push(invalidValue(`${path}.name`, name, msg));
      if (group !== '') errs.push(notSupported(`${path}.apiGroup`, group, ['']));
      if (!namespaced && str(subject.namespace) === '') errs.push(required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (name === '') errs.push(invalidValue(`${path}.name`, name, `${subject.kind === 'User' ? 'user' : 'group'} name cannot be empty`));
      if (group !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, group, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, str(subject.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** A RoleBinding (namespaced: Role or ClusterRole) or ClusterRoleBinding (ClusterRole only). */
export function validateBinding(obj: { roleRef?: RoleRef; subjects?: Subject[] }, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj.roleRef ?? {};
  if (str(ref.apiGroup) !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(notSupported('roleRef.kind', str(ref.kind), kinds));
  const name = str(ref.name);
  if (name === '') errs.push(required('roleRef.name'));
  else for (const msg of pathSegmentNameProblems(name)) errs.push(invalidValue('roleRef.name', name, msg));
  (obj.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

/** rbac.RoleRef as upstream's error values hold it. */
const ROLE_REF: GoType = {
  kind: 'struct',
  name: 'rbac.RoleRef',
  fields: [
    ['APIGroup', 'apiGroup', GO_STRING],
    ['Kind', 'kind', GO_STRING],
    ['Name', 'name', GO_STRING],
  ],
};

/** A binding's role reference never changes. */
export function validateRoleRefUnchanged(ref: RoleRef | undefined, old: RoleRef | undefined): FieldError[] {
  const norm = (r: RoleRef | undefined) => ({ apiGroup: str(r?.apiGroup), kind: str(r?.kind), name: str(r?.name) });
  return jsonEqual(norm(ref), norm(old)) ? [] : [invalidValue('roleRef', goValue(ROLE_REF, norm(ref)), 'cannot change roleRef')];
}

/** The wide columns of bindings: the role, then users, groups and service accounts. */
export function bindingColumns<T extends { roleRef?: RoleRef; subjects?: Subject[] }>() {
  const of = (obj: T, kind: string, show: (s: Subject) => string) =>
    (obj.subjects ?? []).filter((s) => s.kind === kind).map(show).join(', ');
  return [
    { name: 'Role', type: 'string' as const, description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.', cell: (obj: T) => `${str(obj.roleRef?.kind)}/${str(obj.roleRef?.name)}` },
    { name: 'Users', type: 'string' as const, priority: 1, description: 'Users in the binding', cell: (obj: T) => of(obj, 'User', (s) => str(s.name)) },
    { name: 'Groups', type: 'string' as const, priority: 1, description: 'Groups in the binding', cell: (obj: T) => of(obj, 'Group', (s) => str(s.name)) },
    { name: 'ServiceAccounts', type: 'string' as const, priority: 1, description: 'ServiceAccounts in the binding', cell: (obj: T) => of(obj, 'ServiceAccount', (s) => `${str(s.namespace)}:${str(s.name)}`) },
  ];
}

/** Roles print their creation time (upstream has no printer for them). */
export const createdAtColumn = CREATED_AT_COLUMN;
