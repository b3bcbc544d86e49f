/**
 * The audit policy (`--audit-policy-file`, `audit.k8s.io/v1` Policy): its rules are tried in
 * order and the first that matches a request decides its level, the stages left out and
 * whether managedFields are dropped; a request no rule matches is not audited (level None).
 * Read and validated once at start; a bad file is a one-line start-up error.
 */
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../api-call.js';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const AUDIT_STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** Whether `level` records at least as much as `floor`. */
export function levelAtLeast(level: AuditLevel, floor: AuditLevel): boolean {
  return AUDIT_LEVELS.indexOf(level) >= AUDIT_LEVELS.indexOf(floor);
}

/** One `resources` entry of a rule: a group, its resources (`pods`, `pods/status`, `*` + `/status`, `pods/*`, `*`) and names. */
export interface GroupResources {
  group: string;
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  /** The rule's own stages joined with the policy's. */
  omitStages: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

/** What the policy is asked about: the request's attributes, the user as authentication found it (none when it failed). */
export type AuditAttributes =
  | { user?: UserInfo; verb: string; resourceRequest: true; apiGroup: string; resource: string; subresource: string; namespace: string; name: string }
  | { user?: UserInfo; verb: string; resourceRequest: false; path: string };

/** What auditing a request means: its level, the stages not written, whether managedFields are dropped. */
export interface RequestAuditConfig {
  level: AuditLevel;
  omitStages: readonly AuditStage[];
  omitManagedFields: boolean;
}

/** The first matching rule's config, or level None with the policy's stages. */
export function evaluatePolicy(policy: AuditPolicy, attrs: AuditAttributes): RequestAuditConfig {
  for (const rule of policy.rules) {
    if (ruleMatches(rule, attrs)) {
      return { level: rule.level, omitStages: rule.omitStages, omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields };
    }
  }
  return { level: 'None', omitStages: policy.omitStages, omitManagedFields: policy.omitManagedFields };
}

function ruleMatches(rule: PolicyRule, attrs: AuditAttributes): boolean {
  const user = attrs.user;
  if (rule.users.length > 0 && (!user || !rule.users.includes(user.name))) return false;
  if (rule.userGroups.length > 0 && (!user || !user.groups.some((g) => rule.userGroups.includes(g)))) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(attrs.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return attrs.resourceRequest && resourceMatches(rule, attrs);
  if (rule.nonResourceURLs.length > 0) return !attrs.resourceRequest && rule.nonResourceURLs.some((spec) => pathMatches(attrs.path, spec));
  return true;
}

/** `*`, the exact path, or a prefix ending in `*` (`/healthz*`). */
function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(rule: PolicyRule, attrs: Extract<AuditAttributes, { resourceRequest: true }>): boolean {
  // Cluster-scoped resources are the empty namespace.
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(attrs.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const { resource, subresource, name } = attrs;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some((gr) => {
    if (gr.group !== attrs.apiGroup) return false;
    if (gr.resources.length === 0) return true;
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) return false;
    return gr.resources.some(
      (res) =>
        res === combined ||
        res === '*' ||
        (subresource !== '' && res.startsWith('*/') && res.slice(2) === subresource) ||
        (res.endsWith('/*') && res.slice(0, -2) === resource),
    );
  });
}

/** A policy file that cannot be used: the message names the file and the first problem. */
export class PolicyError extends Error {}

/** Reads a policy document (YAML or JSON) as upstream's loader does: `audit.k8s.io/v1` Policy, validated. */
export function parsePolicy(text: string, source = 'policy'): AuditPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new PolicyError(`failed decoding audit policy file "${source}": ${(err as Error).message.split('\n')[0]}`);
  }
  const fail = (msg: string): never => {
    throw new PolicyError(`validation of audit policy file "${source}" failed: ${msg}`);
  };
  if (!isRecord(doc)) return fail('not a Policy object');
  if (doc.apiVersion !== 'audit.k8s.io/v1') fail(`apiVersion: Unsupported value: ${JSON.stringify(doc.apiVersion ?? '')}: supported values: "audit.k8s.io/v1"`);
  if (doc.kind !== 'Policy') fail(`kind: Unsupported value: ${JSON.stringify(doc.kind ?? '')}: supported values: "Policy"`);
  const omitStages = stages(doc.omitStages, 'omitStages', fail);
  const omitManagedFields = optionalBool(doc.omitManagedFields, 'omitManagedFields', fail) ?? false;
  const rawRules = doc.rules ?? [];
  if (!Array.isArray(rawRules)) return fail('rules: Invalid value: must be a list');
  const rules = rawRules.map((raw: unknown, i) => rule(raw, `rules[${i}]`, omitStages, fail));
  if (rules.length === 0) fail('loaded illegal policy with 0 rules');
  return { rules, omitStages, omitManagedFields };
}

type Fail = (msg: string) => never;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, path: string, fail: Fail): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) return fail(`${path}: Invalid value: must be a list of strings`);
  return v as string[];
}

function optionalBool(v: unknown, path: string, fail: Fail): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') return fail(`${path}: Invalid value: must be a boolean`);
  return v;
}

function stages(v: unknown, path: string, fail: Fail): AuditStage[] {
  return strings(v, path, fail).map((s, i) => {
    if (!(AUDIT_STAGES as readonly string[]).includes(s)) {
      fail(`${path}[${i}]: Unsupported value: ${JSON.stringify(s)}: supported values: ${AUDIT_STAGES.map((x) => `"${x}"`).join(', ')}`);
    }
    return s as AuditStage;
  });
}

function rule(raw: unknown, path: string, policyStages: AuditStage[], fail: Fail): PolicyRule {
  if (!isRecord(raw)) return fail(`${path}: Invalid value: must be an object`);
  const level = raw.level;
  if (level === undefined || level === '') fail(`${path}.level: Required value`);
  if (!(AUDIT_LEVELS as readonly unknown[]).includes(level)) {
    fail(`${path}.level: Unsupported value: ${JSON.stringify(level)}: supported values: ${AUDIT_LEVELS.map((x) => `"${x}"`).join(', ')}`);
  }
  const resources = (Array.isArray(raw.resources) ? raw.resources : raw.resources == null ? [] : fail(`${path}.resources: Invalid value: must be a list`)).map(
    (gr: unknown, i: number) => groupResources(gr, `${path}.resources[${i}]`, fail),
  );
  const namespaces = strings(raw.namespaces, `${path}.namespaces`, fail);
  const nonResourceURLs = strings(raw.nonResourceURLs, `${path}.nonResourceURLs`, fail);
  if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) {
    fail(`${path}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
  }
  nonResourceURLs.forEach((url, i) => {
    const at = `${path}.nonResourceURLs[${i}]`;
    if (url !== '*' && !url.startsWith('/')) fail(`${at}: Invalid value: ${JSON.stringify(url)}: non-resource URL rules must begin with a '/' character`);
    if (url.slice(0, -1).includes('*')) fail(`${at}: Invalid value: ${JSON.stringify(url)}: non-resource URL wildcards '*' must be the final character of the rule`);
  });
  const own = stages(raw.omitStages, `${path}.omitStages`, fail);
  const omitManagedFields = optionalBool(raw.omitManagedFields, `${path}.omitManagedFields`, fail);
  const result: PolicyRule = {
    level: level as AuditLevel,
    users: strings(raw.users, `${path}.users`, fail),
    userGroups: strings(raw.userGroups, `${path}.userGroups`, fail),
    verbs: strings(raw.verbs, `${path}.verbs`, fail),
    resources,
    namespaces,
    nonResourceURLs,
    omitStages: [...new Set([...policyStages, ...own])],
  };
  if (omitManagedFields !== undefined) result.omitManagedFields = omitManagedFields;
  return result;
}

function groupResources(raw: unknown, path: string, fail: Fail): GroupResources {
  if (!isRecord(raw)) return fail(`${path}: Invalid value: must be an object`);
  const group = raw.group ?? '';
  if (typeof group !== 'string') return fail(`${path}.group: Invalid value: must be a string`);
  const resources = strings(raw.resources, `${path}.resources`, fail);
  const resourceNames = strings(raw.resourceNames, `${path}.resourceNames`, fail);
  resources.forEach((res, i) => {
    if (res === '') fail(`${path}.resources[${i}]: Invalid value: "": resource cannot be empty`);
    const parts = res.split('/');
    if (parts.length > 2 || (parts.length === 2 && (parts[0] === '' || parts[1] === ''))) {
      fail(`${path}.resources[${i}]: Invalid value: ${JSON.stringify(res)}: resource must be "resource", "resource/subresource", "*/subresource" or "resource/*"`);
    }
  });
  if (resourceNames.length > 0 && resources.length === 0) fail(`${path}.resourceNames: Invalid value: using resourceNames requires at least one resource`);
  return { group, resources, resourceNames };
}
