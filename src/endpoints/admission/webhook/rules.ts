/**
 * Which requests an admission rule covers, as upstream's webhook rule matcher decides it:
 * scope, operation, group, version and `resource[/subresource]` (with `*` wildcards), and the
 * resources equivalent to the requested one that `matchPolicy: Equivalent` also matches (the
 * same stored objects served under another version or group).
 */
import type { RuleWithOperations } from '../../../../gen/kube/admissionregistration-v1.js';
import type { AdmissionAttributes, GroupVersionKind } from '../../../registry/rest/admission.js';
import type { ApiCatalog } from '../../catalog.js';

/** A group, version and resource. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** What a rule is matched against: the attributes, with the resource possibly overridden by an equivalent one. */
export type RuleSubject = Pick<AdmissionAttributes, 'operation' | 'subresource' | 'namespace'> & GroupVersionResource;

const exactOrWildcard = (items: readonly string[] | undefined, requested: string): boolean =>
  (items ?? []).some((item) => item === '*' || item === requested);

const isNamespaceResource = (r: GroupVersionResource): boolean => r.group === '' && r.version === 'v1' && r.resource === 'namespaces';

function scopeMatches(scope: string | undefined, s: RuleSubject): boolean {
  if (scope === undefined || scope === '*') return true;
  const clusterScoped = isNamespaceResource(s) || !s.namespace;
  if (scope === 'Namespaced') return !clusterScoped;
  if (scope === 'Cluster') return clusterScoped;
  return false;
}

function resourceMatches(resources: readonly string[] | undefined, s: RuleSubject): boolean {
  const sub = s.subresource ?? '';
  for (const entry of resources ?? []) {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const subres = slash < 0 ? '' : entry.slice(slash + 1);
    if ((res === '*' || res === s.resource) && (subres === '*' || subres === sub)) return true;
  }
  return false;
}

/** Whether `rule` covers the request `s`. */
export function ruleMatches(rule: RuleWithOperations, s: RuleSubject): boolean {
  return (
    scopeMatches(rule.scope, s) &&
    exactOrWildcard(rule.operations, s.operation) &&
    exactOrWildcard(rule.apiGroups, s.group) &&
    exactOrWildcard(rule.apiVersions, s.version) &&
    resourceMatches(rule.resources, s)
  );
}

/** A resource equivalent to the requested one, and the kind its objects have there. */
export interface EquivalentResource extends GroupVersionResource {
  kind: GroupVersionKind;
}

/**
 * The served resources holding the same objects as the request's (other versions, other
 * groups serving them as aliases), the request's own excluded. For a subresource with a
 * kind of its own (`scale`), the request's kind is kept: upstream converts only resources
 * whose subresource kinds it knows, and a `Scale` is the same in every version served here.
 */
export function equivalentResources(catalog: ApiCatalog, a: Pick<AdmissionAttributes, 'group' | 'version' | 'resource' | 'subresource' | 'kind'>): EquivalentResource[] {
  const own = catalog.resource(a.group, a.version, a.resource);
  if (!own) return [];
  const out: EquivalentResource[] = [];
  for (const store of catalog.stores) {
    const d = store.definition;
    if (d.definition !== own.definition.definition) continue;
    if (d.group === a.group && d.version === a.version && d.resource === a.resource) continue;
    const kind = a.subresource && a.kind.kind !== own.definition.kind ? a.kind : { group: d.group, version: d.version, kind: d.kind };
    out.push({ group: d.group, version: d.version, resource: d.resource, kind });
  }
  return out;
}

/** Where a matching rule was found: the resource (the request's or an equivalent) and its kind. */
export interface RuleMatch extends GroupVersionResource {
  kind: GroupVersionKind;
}

/**
 * The first match of `rules` for the request: the request's own resource first, then, with
 * `Equivalent`, each rule against each equivalent resource (earlier rules first), as upstream.
 */
export function matchRules<R extends RuleWithOperations>(
  rules: readonly R[],
  matchPolicy: string | undefined,
  a: AdmissionAttributes,
  equivalents: () => readonly EquivalentResource[],
  accept: (rule: R, s: RuleSubject) => boolean = () => true,
): RuleMatch | undefined {
  const subject: RuleSubject = { operation: a.operation, subresource: a.subresource, namespace: a.namespace, group: a.group, version: a.version, resource: a.resource };
  for (const rule of rules) {
    if (ruleMatches(rule, subject) && accept(rule, subject)) return { group: a.group, version: a.version, resource: a.resource, kind: a.kind };
  }
  if (matchPolicy !== 'Equivalent') return undefined;
  const eqs = equivalents();
  for (const rule of rules) {
    for (const eq of eqs) {
      const s: RuleSubject = { ...subject, group: eq.group, version: eq.version, resource: eq.resource };
      if (ruleMatches(rule, s) && accept(rule, s)) return { group: eq.group, version: eq.version, resource: eq.resource, kind: eq.kind };
    }
  }
  return undefined;
}

/**
 * Upstream never sends the admission configuration kinds themselves to webhooks or policies,
 * so a broken webhook cannot lock its own configuration in place.
 */
export function isExemptAdmissionConfiguration(kind: GroupVersionKind): boolean {
  return (
    kind.group === 'admissionregistration.k8s.io' &&
    ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'].includes(kind.kind)
  );
}
