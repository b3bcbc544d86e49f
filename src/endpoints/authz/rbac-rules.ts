/**
 * RBAC's matching, as upstream's rbac/v1 helpers: which rule allows which request, and
 * which binding subject names which user.
 */
import type { PolicyRule, Subject } from '../../../gen/kube/rbac-v1.js';
import type { UserInfo } from '../api-call.js';
import { serviceAccountUsername } from '../auth/user.js';
import type { AuthorizationAttributes } from './attributes.js';

const ALL = '*';

const has = (list: string[] | undefined, value: string): boolean => (list ?? []).some((v) => v === ALL || v === value);

/** `resources` entries match `resource`, `resource/subresource`, `*`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === ALL || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** A non-resource URL rule: `*`, the exact path, or a prefix ending in `*`. */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith(ALL) && path.startsWith(u.slice(0, -1))));
}

/** Whether `rule` allows the request. */
export function ruleAllows(rule: PolicyRule, a: AuthorizationAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceUrlMatches(rule, a.path);
  return has(rule.apiGroups, a.apiGroup) && resourceMatches(rule, a.resource, a.subresource) && resourceNameMatches(rule, a.name);
}

/** Whether a binding's subject is `user`; a ServiceAccount subject without a namespace takes the binding's. */
export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return subject.name !== undefined && user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && subject.name !== undefined && serviceAccountUsername(namespace, subject.name) === user.name;
    }
    default:
      return false;
  }
}
