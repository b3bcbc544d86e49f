/**
 * RBAC's escalation prevention, as upstream's rbac registry (pkg/registry/rbac and its
 * validation package): a user may write a Role or ClusterRole only with rules they hold
 * themselves, unless they may `escalate` roles/clusterroles; and a RoleBinding or
 * ClusterRoleBinding only to a role whose rules they hold, unless they may `bind` it.
 * Refusals are upstream's 403: `… is forbidden: user "bob" (groups=["system:authenticated"])
 * is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], …}`.
 */
import type { ClusterRole, PolicyRule, Role, RoleBinding, RoleRef } from '../../../gen/kube/rbac-v1.js';
import { forbidden } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { WriteAdmission, WriteAdmissionContext } from '../rest/definition.js';

const GROUP = 'rbac.authorization.k8s.io';
const ALL = '*';
const MASTERS = 'system:masters';

/** Everything: what an aggregation rule may gather, so only who holds it may set one. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: [ALL], apiGroups: [ALL], resources: [ALL] },
  { verbs: [ALL], nonResourceURLs: [ALL] },
];

const has = (set: readonly string[] | undefined, value: string): boolean => (set ?? []).includes(value);
const hasAll = (set: readonly string[] | undefined, values: readonly string[] | undefined): boolean => (values ?? []).every((v) => has(set, v));

/** One rule per (group, resource, name, verb) and per (URL, verb): what a rule grants, atom by atom. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        else for (const name of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

/** `*`, each resource by name, or `*\/sub` for each `resource/sub`. */
function resourcesCovered(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, ALL) || hasAll(owner, wanted)) return true;
  return (wanted ?? []).every((path) => {
    if (has(owner, path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && has(owner, `*/${path.slice(slash + 1)}`);
  });
}

const urlCovered = (owner: string, path: string): boolean => owner === path || (owner.endsWith(ALL) && path.startsWith(owner.replace(/\*+$/, '')));

function urlsCovered(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  return (wanted ?? []).every((path) => (owner ?? []).some((o) => urlCovered(o, path)));
}

/** Whether `owner` grants everything `sub` does. */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const ownerNames = owner.resourceNames ?? [];
  const names = (sub.resourceNames ?? []).length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resourcesCovered(owner.resources, sub.resources) && names && urlsCovered(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** The atoms of `requested` no rule of `owned` grants. */
export function missingRules(owned: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of requested) for (const atom of breakdownRule(rule)) if (!owned.some((o) => ruleCovers(o, atom))) missing.push(atom);
  return missing;
}

/** Rules of one group and resource (and at most one name) differing only in verbs become one rule. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const names = rule.resourceNames ?? [];
    const isSimple = names.length <= 1 && (rule.nonResourceURLs ?? []).length === 0 && (rule.apiGroups ?? []).length === 1 && (rule.resources ?? []).length === 1;
    if (!isSimple) {
      out.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups?.[0], rule.resources?.[0], names[0] ?? null]);
    const existing = simple.get(key);
    if (!existing) {
      simple.set(key, { ...rule, verbs: [...(rule.verbs ?? [])] });
      continue;
    }
    for (const verb of rule.verbs ?? []) if (!has(existing.verbs, verb)) existing.verbs = [...(existing.verbs ?? []), verb];
  }
  return [...out, ...simple.values()];
}

/** Go's `%q` of a string slice: `["a" "b"]`. */
const goQuoted = (values: readonly string[]): string => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** Upstream's compact form of a rule in escalation messages: `{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  const add = (label: string, values: readonly string[] | undefined) => {
    if ((values ?? []).length > 0) parts.push(`${label}:${goQuoted(values ?? [])}`);
  };
  add('APIGroups', rule.apiGroups);
  add('Resources', rule.resources);
  add('NonResourceURLs', rule.nonResourceURLs);
  add('ResourceNames', rule.resourceNames);
  add('Verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}

/** The rules the writing user holds where the write applies, as policy rules. */
async function heldRules(ctx: WriteAdmissionContext): Promise<{ rules: PolicyRule[]; error?: string }> {
  const held = await ctx.access.rules(ctx.user, ctx.namespace);
  const rules: PolicyRule[] = [
    ...held.resourceRules.map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) })),
    ...held.nonResourceRules.map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
  ];
  return held.evaluationError ? { rules, error: held.evaluationError } : { rules };
}

/** Why `rules` may not be granted by the writing user, or undefined when they hold them all. */
async function escalation(ctx: WriteAdmissionContext, rules: readonly PolicyRule[]): Promise<string | undefined> {
  const held = await heldRules(ctx);
  const missing = missingRules(held.rules, rules);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  const { user } = ctx;
  let message = `user ${JSON.stringify(user.name)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (held.error) message += `; resolution errors: [${held.error}]`;
  return message;
}

const isMaster = (ctx: WriteAdmissionContext): boolean => ctx.user.groups.includes(MASTERS);

async function allowed(ctx: WriteAdmissionContext, verb: string, resource: string, name: string, namespace: string): Promise<boolean> {
  const answer = await ctx.access.authorize(ctx.user, { resource: { namespace, verb, group: GROUP, version: ALL, resource, subresource: '', name } });
  return answer.allowed;
}

/** Only the fields the garbage collector writes changed (owner references, finalizers): upstream lets that through. */
function onlyGarbageCollectionFields(obj: { metadata?: KubeObject['metadata'] }, old: { metadata?: KubeObject['metadata'] }): boolean {
  const strip = (o: { metadata?: KubeObject['metadata'] }) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, ...metadata } = o.metadata ?? {};
    return JSON.stringify({ ...o, metadata });
  };
  return strip(obj) === strip(old);
}

/** The write admission of Roles (`resource` roles) or ClusterRoles (clusterroles). */
export function roleEscalationAdmission<T extends Role | ClusterRole>(resource: 'roles' | 'clusterroles'): WriteAdmission<T> {
  const check = async (obj: T, ctx: WriteAdmissionContext, name: string, old?: T): Promise<void> => {
    if (isMaster(ctx) || (await allowed(ctx, 'escalate', resource, name, ctx.namespace))) return;
    const objName = obj.metadata?.name ?? '';
    const why = await escalation(ctx, obj.rules ?? []);
    if (why) throw forbidden({ group: GROUP, resource }, objName, why);
    const aggregating = (o: T | undefined): boolean => o !== undefined && 'aggregationRule' in o && o.aggregationRule !== undefined && o.aggregationRule !== null;
    if ((aggregating(obj) || aggregating(old)) && (await escalation(ctx, FULL_AUTHORITY))) {
      throw forbidden({ group: GROUP, resource }, objName, 'must have cluster-admin privileges to use the aggregationRule');
    }
  };
  return {
    create: (obj, ctx) => check(obj, ctx, ''),
    update: async (obj, old, ctx) => {
      if (onlyGarbageCollectionFields(obj, old)) return;
      await check(obj, ctx, obj.metadata?.name ?? '', old);
    },
  };
}

/** The rules of the role a binding names (a Role in the binding's namespace, or a ClusterRole); its NotFound when missing. */
async function referencedRules(ctx: WriteAdmissionContext, ref: RoleRef | undefined): Promise<PolicyRule[]> {
  const kind = ref?.kind;
  const resource = kind === 'Role' ? 'roles' : 'clusterroles';
  const store = ctx.storage(GROUP, resource);
  if (!store || (kind !== 'Role' && kind !== 'ClusterRole')) return [];
  const role = (await store.get(kind === 'Role' ? ctx.namespace : undefined, ref?.name ?? '')) as Role | ClusterRole;
  return role.rules ?? [];
}

/** The write admission of RoleBindings (`resource` rolebindings) or ClusterRoleBindings (clusterrolebindings). */
export function bindingEscalationAdmission<T extends RoleBinding>(resource: 'rolebindings' | 'clusterrolebindings'): WriteAdmission<T> {
  const check = async (obj: T, ctx: WriteAdmissionContext): Promise<void> => {
    if (isMaster(ctx)) return;
    const ref = obj.roleRef;
    // `bind` is asked in the binding's namespace (none for a ClusterRoleBinding), on the role it names.
    if (ref && (ref.kind === 'Role' || ref.kind === 'ClusterRole') && (await allowed(ctx, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ref.name ?? '', ctx.namespace))) return;
    const why = await escalation(ctx, await referencedRules(ctx, ref));
    if (why) throw forbidden({ group: GROUP, resource }, obj.metadata?.name ?? '', why);
  };
  return {
    create: check,
    update: async (obj, old, ctx) => {
      if (onlyGarbageCollectionFields(obj, old)) return;
      await check(obj, ctx);
    },
  };
}
