/**
 * Whether a policy's `matchConstraints` or a binding's `matchResources` cover a request, as
 * upstream's policy matcher decides: namespace and object selectors, then exclusions, then
 * the resource rules (each with its `resourceNames`; none: every resource), with the match
 * policy's equivalent resources. Returns the resource and kind matched (what `request.kind`
 * and the objects' version follow).
 */
import type { MatchResources, NamedRuleWithOperations } from '../../../../gen/kube/admissionregistration-v1.js';
import type { AdmissionAttributes } from '../../../registry/rest/admission.js';
import type { ApiCatalog } from '../../catalog.js';
import type { CoreObjectLookup } from '../../core-lookup.js';
import { equivalentResources, matchRules, type RuleMatch } from '../webhook/rules.js';
import { namespaceSelectorMatches, objectSelectorMatches } from '../webhook/selectors.js';

function matchNamedRules(rules: readonly NamedRuleWithOperations[], matchPolicy: string | undefined, a: AdmissionAttributes, catalog: ApiCatalog): RuleMatch | undefined {
  const nameMatches = (rule: NamedRuleWithOperations): boolean => (rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(a.name);
  return matchRules(rules, matchPolicy, a, () => equivalentResources(catalog, a), nameMatches);
}

/** The match of `m` for the request, or undefined when it does not cover it. */
export async function matchResources(m: MatchResources, a: AdmissionAttributes, catalog: ApiCatalog, lookup: CoreObjectLookup): Promise<RuleMatch | undefined> {
  if (!(await namespaceSelectorMatches(m.namespaceSelector, a, lookup))) return undefined;
  if (!objectSelectorMatches(m.objectSelector, a)) return undefined;
  const matchPolicy = m.matchPolicy ?? 'Equivalent';
  if (matchNamedRules(m.excludeResourceRules ?? [], matchPolicy, a, catalog)) return undefined;
  if ((m.resourceRules ?? []).length === 0) return { group: a.group, version: a.version, resource: a.resource, kind: a.kind };
  return matchNamedRules(m.resourceRules ?? [], matchPolicy, a, catalog);
}
