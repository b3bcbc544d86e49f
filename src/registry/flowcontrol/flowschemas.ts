/**
 * flowcontrol.apiserver.k8s.io/v1 FlowSchema: which requests go to which priority level.
 * Upstream's defaults (matchingPrecedence 1000) and validation: precedence 1 to 10000 (1 is
 * the `exempt` schema's alone), a known distinguisher method, a valid priority level name,
 * subjects by kind, resource and non-resource rules with known verbs and `*` standing alone;
 * the mandatory `exempt` and `catch-all` schemas keep their fixed specs. The status (the
 * `Dangling` condition) is written through `/status`. Requests are not yet classified by
 * these objects: API Priority and Fairness itself is not enforced.
 */
import type { FlowSchema, FlowSchemaSpec, NonResourcePolicyRule, PolicyRulesWithSubjects, ResourcePolicyRule, Subject } from '../../../gen/kube/flowcontrol-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import { AGE_COLUMN_SLOT, type ResourceDefinition } from '../rest/definition.js';
import { mandatoryFlowSchema } from './bootstrap-objects.js';
import { specsEqual, validateConditions } from './common.js';

const DEFAULT_MATCHING_PRECEDENCE = 1000;
const MAX_MATCHING_PRECEDENCE = 10000;
const DISTINGUISHER_METHODS = ['ByNamespace', 'ByUser'];
const SUBJECT_KINDS = ['Group', 'ServiceAccount', 'User'];
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const NAMESPACE_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";

function defaultFlowSchema(obj: FlowSchema): void {
  const spec = (obj.spec ??= {});
  if (!num(spec.matchingPrecedence)) spec.matchingPrecedence = DEFAULT_MATCHING_PRECEDENCE;
}

const hasWildcard = (values: readonly string[]): boolean => values.includes('*');

/** Verbs: at least one, `*` alone, otherwise only the verbs upstream knows. */
function validateVerbs(verbs: string[], path: string): FieldError[] {
  if (verbs.length === 0) return [required(path, 'verbs must contain at least one value')];
  if (hasWildcard(verbs)) return verbs.length > 1 ? [invalidValue(path, verbs, "if '*' is present, must not specify other verbs")] : [];
  return verbs.every((v) => VERBS.includes(v)) ? [] : [notSupported(path, verbs, VERBS)];
}

/** Why a non-resource path cannot be matched, or undefined when it is fine. */
function nonResourceUrlProblem(path: string): string | undefined {
  if (path === '') return 'must not be empty';
  if (path === '/') return undefined;
  if (!path.startsWith('/')) return 'must start with slash';
  if (path.includes(' ')) return 'must not contain white-space';
  if (path.includes('//')) return 'must not contain double slash';
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateNonResourceRule(rule: NonResourcePolicyRule, path: string): FieldError[] {
  const errs = validateVerbs(rule.verbs ?? [], `${path}.verbs`);
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length === 0) errs.push(required(`${path}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
  else if (hasWildcard(urls)) {
    if (urls.length > 1) errs.push(invalidValue(`${path}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs"));
  } else {
    urls.forEach((url, i) => {
      const problem = nonResourceUrlProblem(url);
      if (problem) errs.push(invalidValue(`${path}.nonResourceURLs[${i}]`, url, problem));
    });
  }
  return errs;
}

function validateResourceRule(rule: ResourcePolicyRule, path: string): FieldError[] {
  const errs = validateVerbs(rule.verbs ?? [], `${path}.verbs`);
  const groups = rule.apiGroups ?? [];
  if (groups.length === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && hasWildcard(groups)) errs.push(invalidValue(`${path}.apiGroups`, groups, "if '*' is present, must not specify other api groups"));
  const resources = rule.resources ?? [];
  if (resources.length === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && hasWildcard(resources)) errs.push(invalidValue(`${path}.resources`, resources, "if '*' is present, must not specify other resources"));
  const namespaces = rule.namespaces ?? [];
  if (namespaces.length === 0 && rule.clusterScope !== true) {
    errs.push(required(`${path}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
  } else if (hasWildcard(namespaces)) {
    if (namespaces.length > 1) errs.push(invalidValue(`${path}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces"));
  } else {
    namespaces.forEach((ns, i) => {
      for (const msg of isDns1123Label(ns)) errs.push(invalidValue(`${path}.namespaces[${i}]`, ns, NAMESPACE_INTRO + msg));
    });
  }
  return errs;
}

/** The member a subject kind names must be there; the others must not. */
function validateSubject(subject: Subject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const kind = str(subject.kind);
  if (!SUBJECT_KINDS.includes(kind)) return [notSupported(`${path}.kind`, kind, SUBJECT_KINDS)];
  if (kind === 'ServiceAccount') {
    const sa = subject.serviceAccount;
    if (!sa) errs.push(required(`${path}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
    else {
      const name = str(sa.name);
      if (!name) errs.push(required(`${path}.serviceAccount.name`));
      else if (name !== '*') for (const msg of isDns1123Subdomain(name)) errs.push(invalidValue(`${path}.serviceAccount.name`, name, msg));
      const ns = str(sa.namespace);
      if (!ns) errs.push(required(`${path}.serviceAccount.namespace`, 'must specify namespace for service account'));
      else for (const msg of isDns1123Label(ns)) errs.push(invalidValue(`${path}.serviceAccount.namespace`, ns, msg));
    }
  } else {
    const member = kind === 'User' ? subject.user : subject.group;
    const field = kind === 'User' ? 'user' : 'group';
    if (!member) errs.push(required(`${path}.${field}`, `${field} is required when subject kind is '${kind}'`));
    else if (!str(member.name)) errs.push(required(`${path}.${field}.name`));
  }
  // The other members are forbidden, checked in upstream's order for each kind.
  const others: Record<string, ('user' | 'group' | 'serviceAccount')[]> = { ServiceAccount: ['user', 'group'], User: ['serviceAccount', 'group'], Group: ['serviceAccount', 'user'] };
  const forbiddenText = { user: "user is forbidden when subject kind is not 'User'", group: "group is forbidden when subject kind is not 'Group'", serviceAccount: "serviceAccount is forbidden when subject kind is not 'ServiceAccount'" };
  for (const other of others[kind] ?? []) if (subject[other]) errs.push(forbidden(`${path}.${other}`, forbiddenText[other]));
  return errs;
}

function validateRule(rule: PolicyRulesWithSubjects, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const subjects = rule.subjects ?? [];
  if (subjects.length === 0) errs.push(required(`${path}.subjects`, 'subjects must contain at least one value'));
  subjects.forEach((s, i) => errs.push(...validateSubject(s, `${path}.subjects[${i}]`)));
  const resourceRules = rule.resourceRules ?? [];
  const nonResourceRules = rule.nonResourceRules ?? [];
  if (resourceRules.length === 0 && nonResourceRules.length === 0) errs.push(required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  resourceRules.forEach((r, i) => errs.push(...validateResourceRule(r, `${path}.resourceRules[${i}]`)));
  nonResourceRules.forEach((r, i) => errs.push(...validateNonResourceRule(r, `${path}.nonResourceRules[${i}]`)));
  return errs;
}

function validateSpec(name: string, spec: FlowSchemaSpec): FieldError[] {
  const errs: FieldError[] = [];
  const precedence = num(spec.matchingPrecedence) ?? 0;
  if (precedence <= 0) errs.push(invalidValue('spec.matchingPrecedence', precedence, 'must be a positive value'));
  if (precedence > MAX_MATCHING_PRECEDENCE) errs.push(invalidValue('spec.matchingPrecedence', precedence, `must not be greater than ${MAX_MATCHING_PRECEDENCE}`));
  if (precedence === 1 && name !== 'exempt') errs.push(invalidValue('spec.matchingPrecedence', precedence, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const method = spec.distinguisherMethod;
  if (method && !DISTINGUISHER_METHODS.includes(str(method.type))) errs.push(notSupported('spec.distinguisherMethod.type', method, DISTINGUISHER_METHODS));
  const plName = str(spec.priorityLevelConfiguration?.name);
  if (!plName) errs.push(required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  else for (const msg of isDns1123Subdomain(plName)) errs.push(invalidValue('spec.priorityLevelConfiguration.name', plName, msg));
  (spec.rules ?? []).forEach((rule, i) => errs.push(...validateRule(rule, `spec.rules[${i}]`)));
  return errs;
}

function validateFlowSchema(obj: FlowSchema): FieldError[] {
  const name = str(obj.metadata?.name);
  const spec = obj.spec ?? {};
  const errs = validateSpec(name, spec);
  const mandatory = mandatoryFlowSchema(name);
  if (mandatory) {
    const fixed = structuredClone(mandatory);
    defaultFlowSchema(fixed);
    if (!specsEqual(spec, fixed.spec)) errs.push(invalidValue('spec', spec, `spec of '${name}' must equal the fixed value`));
  }
  errs.push(...validateConditions(obj.status?.conditions));
  return errs;
}

/** The `Dangling` condition's status, `?` when there is none (upstream's MissingPL column). */
function missingPriorityLevel(obj: FlowSchema): string {
  const dangling = (obj.status?.conditions ?? []).find((c) => c.type === 'Dangling');
  return dangling ? str(dangling.status) : '?';
}

const compareNames = (a: FlowSchema, b: FlowSchema): number => {
  const x = str(a.metadata?.name);
  const y = str(b.metadata?.name);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The FlowSchema resource. */
export const flowSchemas: ResourceDefinition<FlowSchema> = {
  ...declared('flowcontrol.apiserver.k8s.io', 'flowschemas', { v1: { defaults: (obj) => defaultFlowSchema(obj as FlowSchema) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate(obj) {
      defaultFlowSchema(obj);
      obj.status = {};
    },
    prepareForUpdate: defaultFlowSchema,
    validate: validateFlowSchema,
    validateUpdate: validateFlowSchema,
  },
  statusStrategy: {
    validateUpdate: (obj) => validateConditions(obj.status?.conditions),
  },
  // Upstream's list printer sorts: lowest matchingPrecedence first, then by name.
  tableRowOrder: (a, b) => (num(a.spec?.matchingPrecedence) ?? 0) - (num(b.spec?.matchingPrecedence) ?? 0) || compareNames(a, b),
  printerColumns: [
    { name: 'PriorityLevel', type: 'string', description: '`name` is the name of the priority level configuration being referenced Required.', cell: (obj) => str(obj.spec?.priorityLevelConfiguration?.name) },
    {
      name: 'MatchingPrecedence',
      type: 'string',
      description:
        '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.',
      cell: (obj) => num(obj.spec?.matchingPrecedence) ?? 0,
    },
    {
      name: 'DistinguisherMethod',
      type: 'string',
      description: '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.',
      cell: (obj) => (obj.spec?.distinguisherMethod ? str(obj.spec.distinguisherMethod.type) : '<none>'),
    },
    AGE_COLUMN_SLOT,
    { name: 'MissingPL', type: 'string', description: 'references a broken or non-existent PriorityLevelConfiguration', cell: missingPriorityLevel },
  ],
};
