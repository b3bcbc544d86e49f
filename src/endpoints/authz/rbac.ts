/**
 * The RBAC authorizer: a request is allowed when a rule of a role bound to its user allows
 * it — ClusterRoleBindings everywhere, RoleBindings within their namespace (naming a Role
 * there or a ClusterRole). Otherwise it has no opinion; bindings naming a missing role are
 * reported in the reason (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 */
import type { PolicyRule } from '../../../gen/kube/rbac-v1.js';
import type { AuthorizationAttributes, Authorizer, Decision, UserRules } from './attributes.js';
import type { RbacPolicy, RbacPolicySource } from './rbac-policy.js';
import { ruleAllows, subjectMatches } from './rbac-rules.js';
import type { UserInfo } from '../api-call.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Every rule the user holds where `namespace` applies (cluster-wide when empty), and the errors met. */
export function rulesFor(policy: RbacPolicy, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const binding of policy.clusterRoleBindings) {
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, ''))) continue;
    const name = binding.roleRef?.name ?? '';
    const role = binding.roleRef?.kind === 'ClusterRole' ? policy.clusterRoles.get(name) : undefined;
    if (!role) errors.push(`clusterrole.${RBAC_GROUP} ${JSON.stringify(name)} not found`);
    else rules.push(...(role.rules ?? []));
  }
  if (namespace !== '') {
    for (const binding of policy.roleBindings.get(namespace) ?? []) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
      const name = binding.roleRef?.name ?? '';
      const kind = binding.roleRef?.kind;
      const role = kind === 'ClusterRole' ? policy.clusterRoles.get(name) : kind === 'Role' ? policy.roles.get(`${namespace}/${name}`) : undefined;
      if (!role) errors.push(kind === 'Role' ? `role.${RBAC_GROUP} ${JSON.stringify(name)} not found` : `clusterrole.${RBAC_GROUP} ${JSON.stringify(name)} not found`);
      else rules.push(...(role.rules ?? []));
    }
  }
  return { rules, errors };
}

function decide(policy: RbacPolicy, a: AuthorizationAttributes): Decision {
  const namespace = a.resourceRequest ? a.namespace : '';
  const { rules, errors } = rulesFor(policy, a.user, namespace);
  if (rules.some((rule) => ruleAllows(rule, a))) return { decision: 'allow', reason: '' };
  const reason = errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
  return { decision: 'noOpinion', reason };
}

/**
 * RBAC over `source`. A refusal is checked again against the store's current policy, so a
 * grant is effective as soon as its write is acknowledged; a revocation takes effect within
 * the source's refresh interval.
 */
export function rbacAuthorizer(source: RbacPolicySource): Authorizer {
  return {
    async authorize(a) {
      const first = decide(await source.current(), a);
      if (first.decision === 'allow') return first;
      return decide(await source.latest(), a);
    },
    async rulesFor(user, namespace) {
      const { rules, errors } = rulesFor(await source.latest(), user, namespace);
      const resourceRules: UserRules['resourceRules'] = [];
      const nonResourceRules: UserRules['nonResourceRules'] = [];
      for (const r of rules) {
        if ((r.nonResourceURLs ?? []).length > 0) {
          nonResourceRules.push({ verbs: [...(r.verbs ?? [])], nonResourceURLs: [...(r.nonResourceURLs ?? [])] });
          continue;
        }
        const rule: UserRules['resourceRules'][number] = { verbs: [...(r.verbs ?? [])] };
        if (r.apiGroups?.length) rule.apiGroups = [...r.apiGroups];
        if (r.resources?.length) rule.resources = [...r.resources];
        if (r.resourceNames?.length) rule.resourceNames = [...r.resourceNames];
        resourceRules.push(rule);
      }
      return { resourceRules, nonResourceRules, incomplete: errors.length > 0, errors };
    },
  };
}
