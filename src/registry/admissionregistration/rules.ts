/**
 * What the admissionregistration.k8s.io kinds share: upstream's defaults for webhooks,
 * rules, match resources and service references, and its validation of rules, client
 * configs, match conditions, selectors and parameter references, with upstream's
 * messages and field paths. CEL expressions are checked for presence only: compiling them
 * (upstream's type checking) is not done here.
 */
import type {
  MatchCondition,
  MatchResources,
  MutatingWebhook,
  NamedRuleWithOperations,
  ParamRef,
  Rule,
  RuleWithOperations,
  ValidatingWebhook,
  Variable,
  WebhookClientConfig,
} from '../../../gen/kube/admissionregistration-v1.js';
import type { LabelSelector } from '../../../gen/kube/meta-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { validateLabelSelector } from '../../machinery/validation/label-selector.js';
import { isDns1035Label, isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { pathSegmentNameProblems } from '../../machinery/validation/path-segment.js';
import { isValidPortNum } from '../../machinery/validation/ports.js';
import { num, str } from '../core/fields.js';
import type { PrinterColumn } from '../rest/definition.js';

export const FAILURE_POLICIES = ['Fail', 'Ignore'];
export const MATCH_POLICIES = ['Equivalent', 'Exact'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
/** A mutating policy never sees DELETE: what is deleted has nothing left to change. */
const MUTATING_OPERATIONS = ['*', 'CONNECT', 'CREATE', 'UPDATE'];
const NO_SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
/** The AdmissionReview versions this server (and the one before it) understands. */
const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

const list = <T>(value: T[] | undefined | null): T[] => (Array.isArray(value) ? value : []);
const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** SetDefaults_Rule: every scope. */
function defaultRule(rule: Rule): void {
  if (rule.scope === undefined || rule.scope === null) rule.scope = '*';
}

/** SetDefaults_MatchResources: Equivalent matching, empty selectors, rules' scope. */
export function defaultMatchResources(m: MatchResources | undefined | null): void {
  if (!m) return;
  if (m.matchPolicy === undefined || m.matchPolicy === null) m.matchPolicy = 'Equivalent';
  if (!m.namespaceSelector) m.namespaceSelector = {};
  if (!m.objectSelector) m.objectSelector = {};
  for (const r of [...list(m.resourceRules), ...list(m.excludeResourceRules)]) defaultRule(r);
}

/** SetDefaults_ValidatingWebhook (and the mutating one's shared part), rules and service port. */
export function defaultWebhook(hook: ValidatingWebhook | MutatingWebhook): void {
  if (hook.failurePolicy === undefined || hook.failurePolicy === null) hook.failurePolicy = 'Fail';
  if (hook.matchPolicy === undefined || hook.matchPolicy === null) hook.matchPolicy = 'Equivalent';
  if (!hook.namespaceSelector) hook.namespaceSelector = {};
  if (!hook.objectSelector) hook.objectSelector = {};
  if (hook.timeoutSeconds === undefined || hook.timeoutSeconds === null) hook.timeoutSeconds = 10;
  for (const r of list(hook.rules)) defaultRule(r);
  const service = hook.clientConfig?.service;
  if (service && (service.port === undefined || service.port === null)) service.port = 443;
}

/** SetDefaults_MutatingWebhook: the shared defaults and reinvocation Never. */
export function defaultMutatingWebhook(hook: MutatingWebhook): void {
  defaultWebhook(hook);
  if (hook.reinvocationPolicy === undefined || hook.reinvocationPolicy === null) hook.reinvocationPolicy = 'Never';
}

/** utilvalidation.IsFullyQualifiedName: a DNS subdomain of at least three labels. */
function validateFullyQualifiedName(path: string, name: string): FieldError[] {
  if (name === '') return [required(path)];
  const problems = isDns1123Subdomain(name);
  if (problems.length) return [invalidValue(path, name, problems.join(','))];
  if (name.split('.').length < 3) return [invalidValue(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

/** Resources, `resource/subresource` forms and their wildcards, as upstream's validateResources. */
function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path));
  const wildSub = new Set<string>();
  const wildRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let plainResource = false;
  resources.forEach((r, i) => {
    if (r === '') {
      errs.push(required(`${path}[${i}]`));
      return;
    }
    if (r === '*/*') doubleWildcard = true;
    if (r === '*') singleWildcard = true;
    const slash = r.indexOf('/');
    if (slash < 0) {
      plainResource = r !== '*';
      return;
    }
    const res = r.slice(0, slash);
    const sub = r.slice(slash + 1);
    if (wildSub.has(res)) errs.push(invalidValue(`${path}[${i}]`, r, `if '${res}/*' is present, must not specify ${r}`));
    if (wildRes.has(sub)) errs.push(invalidValue(`${path}[${i}]`, r, `if '*/${sub}' is present, must not specify ${r}`));
    if (sub === '*') wildSub.add(res);
    if (res === '*') wildRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalidValue(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && plainResource) errs.push(invalidValue(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: Rule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const groups = list(rule.apiGroups);
  const versions = list(rule.apiVersions);
  if (groups.length === 0) errs.push(required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes('*')) errs.push(invalidValue(`${path}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  if (versions.length === 0) errs.push(required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes('*')) errs.push(invalidValue(`${path}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(required(`${path}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(list(rule.resources), `${path}.resources`));
  if (rule.scope !== undefined && rule.scope !== null && !SCOPES.includes(rule.scope)) errs.push(notSupported(`${path}.scope`, rule.scope, SCOPES));
  return errs;
}

function validateRuleWithOperations(rule: RuleWithOperations, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = list(rule.operations);
  if (ops.length === 0) errs.push(required(`${path}.operations`));
  if (ops.length > 1 && ops.includes('*')) errs.push(invalidValue(`${path}.operations`, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(`${path}.operations[${i}]`, op, OPERATIONS));
  });
  return [...errs, ...validateRule(rule, path)];
}

function validateNamedRule(rule: NamedRuleWithOperations, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(rule.resourceNames).forEach((name, i) => {
    for (const msg of pathSegmentNameProblems(name)) errs.push(invalidValue(`${path}.resourceNames[${i}]`, name, msg));
    if (seen.has(name)) errs.push({ type: 'Duplicate', field: `${path}.resourceNames[${i}]`, value: name, detail: '' });
    seen.add(name);
  });
  return [...errs, ...validateRuleWithOperations(rule, path)];
}

/** webhook.ValidateWebhookURL with https required. */
function validateWebhookUrl(path: string, raw: string): FieldError[] {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return [required(path, `url must be a valid URL: parse ${JSON.stringify(raw)}: invalid URI for request${form}`)];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(invalidValue(path, scheme, `'https' is the only allowed URL scheme${form}`));
  if (u.host === '') errs.push(invalidValue(path, u.host, `host must be specified${form}`));
  if (u.username || u.password) errs.push(invalidValue(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash.length > 1) errs.push(invalidValue(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search.length > 1) errs.push(invalidValue(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** webhook.ValidateWebhookService: name, namespace, port and a path of DNS-subdomain segments. */
function validateWebhookService(path: string, name: string, namespace: string, urlPath: string | undefined | null, port: number): FieldError[] {
  const errs: FieldError[] = [];
  if (name === '') errs.push(required(`${path}.name`, 'service name is required'));
  if (namespace === '') errs.push(required(`${path}.namespace`, 'service namespace is required'));
  const portProblems = isValidPortNum(port);
  if (portProblems.length) errs.push(invalidValue(`${path}.port`, port, `port is not valid: ${portProblems.join(', ')}`));
  if (urlPath === undefined || urlPath === null || urlPath === '' || urlPath === '/') return errs;
  if (urlPath === '//') return [...errs, invalidValue(`${path}.path`, urlPath, 'segment[0] may not be empty')];
  if (!urlPath.startsWith('/')) errs.push(invalidValue(`${path}.path`, urlPath, "must start with a '/'"));
  let rest = urlPath.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (step === '') {
      errs.push(invalidValue(`${path}.path`, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const failure of isDns1123Subdomain(step)) errs.push(invalidValue(`${path}.path`, urlPath, `segment[${i}]: ${failure}`));
  });
  return errs;
}

function validateClientConfig(cc: WebhookClientConfig | undefined | null, path: string): FieldError[] {
  const url = cc?.url;
  const service = cc?.service;
  const hasUrl = url !== undefined && url !== null;
  const hasService = service !== undefined && service !== null;
  if (hasUrl === hasService) return [required(path, 'exactly one of url or service is required')];
  if (hasUrl) return validateWebhookUrl(`${path}.url`, url);
  return validateWebhookService(`${path}.service`, str(service?.name), str(service?.namespace), service?.path, num(service?.port) ?? 443);
}

/** Match conditions (upstream's limit of 64 is not checked yet): each named (a qualified name, unique) with an expression. */
export function validateMatchConditions(conditions: MatchCondition[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = list(conditions);
  const names = new Set<string>();
  items.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (str(c.expression).trim() === '') errs.push(required(`${p}.expression`));
    const name = str(c.name);
    if (name === '') errs.push(required(`${p}.name`));
    else for (const msg of isQualifiedName(name)) errs.push(invalidValue(`${p}.name`, name, msg));
    if (name !== '') {
      if (names.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
      names.add(name);
    }
  });
  return errs;
}

function validateSelector(selector: LabelSelector | undefined | null, path: string): FieldError[] {
  return selector ? validateLabelSelector(selector, path) : [];
}

/** The admission review versions of a webhook: present, DNS-1035 labels, unique, one understood. */
function validateAdmissionReviewVersions(versions: string[], path: string): FieldError[] {
  if (versions.length < 1) return [required(path, `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalidValue(`${path}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDns1035Label(v)) errs.push(invalidValue(`${path}[${i}]`, v, msg));
    if (ADMISSION_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (!accepted) errs.push(invalidValue(path, versions, `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** One webhook of either kind (the mutating one adds its reinvocation policy). */
function validateWebhook(hook: ValidatingWebhook | MutatingWebhook, path: string, mutating: boolean): FieldError[] {
  const errs = validateFullyQualifiedName(`${path}.name`, str(hook.name));
  list(hook.rules).forEach((r, i) => errs.push(...validateRuleWithOperations(r, `${path}.rules[${i}]`)));
  if (hook.failurePolicy !== undefined && hook.failurePolicy !== null && !FAILURE_POLICIES.includes(hook.failurePolicy)) {
    errs.push(notSupported(`${path}.failurePolicy`, hook.failurePolicy, FAILURE_POLICIES));
  }
  if (hook.matchPolicy !== undefined && hook.matchPolicy !== null && !MATCH_POLICIES.includes(hook.matchPolicy)) {
    errs.push(notSupported(`${path}.matchPolicy`, hook.matchPolicy, MATCH_POLICIES));
  }
  if (hook.sideEffects === undefined || hook.sideEffects === null) errs.push(required(`${path}.sideEffects`, `must specify one of ${NO_SIDE_EFFECTS.join(', ')}`));
  else if (!NO_SIDE_EFFECTS.includes(hook.sideEffects)) errs.push(notSupported(`${path}.sideEffects`, hook.sideEffects, NO_SIDE_EFFECTS));
  const timeout = num(hook.timeoutSeconds);
  if (timeout !== undefined && (timeout > 30 || timeout < 1)) errs.push(invalidValue(`${path}.timeoutSeconds`, timeout, 'the timeout value must be between 1 and 30 seconds'));
  errs.push(...validateSelector(hook.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateSelector(hook.objectSelector, `${path}.objectSelector`));
  if (mutating) {
    const policy = (hook as MutatingWebhook).reinvocationPolicy;
    if (policy !== undefined && policy !== null && !REINVOCATION_POLICIES.includes(policy)) errs.push(notSupported(`${path}.reinvocationPolicy`, policy, REINVOCATION_POLICIES));
  }
  errs.push(...validateClientConfig(hook.clientConfig, `${path}.clientConfig`));
  errs.push(...validateMatchConditions(hook.matchConditions, `${path}.matchConditions`));
  return errs;
}

/** The webhooks of a configuration: each valid, with unique names. */
export function validateWebhooks(hooks: Array<ValidatingWebhook | MutatingWebhook> | undefined | null, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(hooks).forEach((hook, i) => {
    const p = `webhooks[${i}]`;
    errs.push(...validateWebhook(hook, p, mutating));
    errs.push(...validateAdmissionReviewVersions(list(hook.admissionReviewVersions), `${p}.admissionReviewVersions`));
    const name = str(hook.name);
    if (name !== '') {
      if (names.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
      names.add(name);
    }
  });
  return errs;
}

/** validateMatchResources: match policy and both selectors required (they are defaulted), rules valid. */
export function validateMatchResources(m: MatchResources | undefined | null, path: string): FieldError[] {
  if (!m) return [];
  const errs: FieldError[] = [];
  if (m.matchPolicy === undefined || m.matchPolicy === null) errs.push(required(`${path}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) errs.push(notSupported(`${path}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  if (!m.namespaceSelector) errs.push(required(`${path}.namespaceSelector`));
  else errs.push(...validateLabelSelector(m.namespaceSelector, `${path}.namespaceSelector`));
  if (!m.objectSelector) errs.push(required(`${path}.objectSelector`));
  else errs.push(...validateLabelSelector(m.objectSelector, `${path}.objectSelector`));
  list(m.resourceRules).forEach((r, i) => errs.push(...validateNamedRule(r, `${path}.resourceRules[${i}]`)));
  list(m.excludeResourceRules).forEach((r, i) => errs.push(...validateNamedRule(r, `${path}.excludeResourceRules[${i}]`)));
  return errs;
}

/** validateParamRef: a name or a selector (not both), and the action when no parameter is found. */
export function validateParamRef(ref: ParamRef | undefined | null, path: string): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  const name = str(ref.name);
  if (name !== '') {
    for (const msg of pathSegmentNameProblems(name)) errs.push(invalidValue(`${path}.name`, name, msg));
    if (ref.selector) errs.push(forbidden(`${path}.name`, 'name and selector are mutually exclusive'));
  }
  if (ref.selector) {
    errs.push(...validateLabelSelector(ref.selector, `${path}.selector`));
    if (name !== '') errs.push(forbidden(`${path}.selector`, 'name and selector are mutually exclusive'));
  }
  if (name === '' && !ref.selector) errs.push(required(path, 'one of name or selector must be specified'));
  const action = ref.parameterNotFoundAction;
  if (action === undefined || action === null || action === '') errs.push(required(`${path}.parameterNotFoundAction`));
  else if (action !== 'Deny' && action !== 'Allow') errs.push(notSupported(`${path}.parameterNotFoundAction`, action, ['Deny', 'Allow']));
  return errs;
}

/** A LabelSelector as Go's generated String() prints it (the binding printer shows this). */
export function goLabelSelectorString(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${v},`)
    .join('');
  const exprs = (selector.matchExpressions ?? [])
    .map((e) => `LabelSelectorRequirement{Key:${str(e.key)},Operator:${str(e.operator)},Values:[${(e.values ?? []).join(' ')}],},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

/** `group/version` as upstream's parseGroupVersion splits it. */
export function validateParamKind(apiVersion: string, kind: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (apiVersion === '') errs.push(required(`${path}.apiVersion`));
  else {
    const slashes = apiVersion.split('/').length - 1;
    if (slashes > 1) errs.push(invalidValue(`${path}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      const [group, version] = apiVersion === '/' ? ['', ''] : slashes === 0 ? ['', apiVersion] : (apiVersion.split('/') as [string, string]);
      if (group !== '') {
        const problems = isDns1123Subdomain(group);
        if (problems.length) errs.push(invalidValue(`${path}.apiVersion`, group, problems.join(',')));
      }
      if (version === '') errs.push(invalidValue(`${path}.apiVersion`, apiVersion, 'version must be specified'));
      else {
        const problems = isDns1035Label(version);
        if (problems.length) errs.push(invalidValue(`${path}.apiVersion`, version, problems.join(',')));
      }
    }
  }
  if (kind === '') errs.push(required(`${path}.kind`));
  else {
    const problems = isDns1035Label(kind.toLowerCase());
    if (problems.length) errs.push(invalidValue(`${path}.kind`, kind, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
  }
  return errs;
}

/** A policy's variables: each a CEL identifier with an expression (compiling the expression is not done here). */
export function validateVariables(variables: Variable[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(variables).forEach((v, i) => {
    const vp = `${path}[${i}]`;
    const vname = str(v.name);
    if (vname.trim() === '') errs.push(required(`${vp}.name`, 'name is not specified'));
    else if (!CEL_IDENT.test(vname) || CEL_RESERVED.has(vname)) errs.push(invalidValue(`${vp}.name`, vname, 'name is not a valid CEL identifier'));
    if (str(v.expression).trim() === '') errs.push(required(`${vp}.expression`, 'expression is not specified'));
  });
  return errs;
}

/** A policy's matchConstraints: required, valid, and with at least one resource rule (policies take their types from them). */
export function validateMatchConstraints(m: MatchResources | undefined | null, path: string): FieldError[] {
  if (!m) return [required(path)];
  const errs = validateMatchResources(m, path);
  if (list(m.resourceRules).length === 0) errs.push(required(`${path}.resourceRules`));
  return errs;
}

/** A binding's parameter column: `namespace/name`, `*\/name`, the selector, or `<unset>`. */
export function paramRefCell(ref: ParamRef | undefined | null): string {
  if (!ref) return '<unset>';
  const name = str(ref.name);
  if (name !== '') return ref.namespace ? `${ref.namespace}/${name}` : `*/${name}`;
  if (ref.selector) return goLabelSelectorString(ref.selector);
  return '<unset>';
}

/**
 * The operations of every rule of a mutating policy's or binding's match resources; upstream
 * reports them at the rules' path without an index.
 */
export function validateMutatingOperations(m: MatchResources | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const rule of m?.resourceRules ?? []) {
    for (const op of rule.operations ?? []) {
      if (!MUTATING_OPERATIONS.includes(op)) errs.push(notSupported(`${path}.resourceRules.operations`, op, MUTATING_OPERATIONS));
    }
  }
  return errs;
}

/** An admission policy's spec defaults (Validating and Mutating alike): failurePolicy Fail and the match constraints'. */
export function defaultPolicySpec(spec: { failurePolicy?: string | null; matchConstraints?: MatchResources | null } | undefined | null): void {
  if (!spec) return;
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) spec.failurePolicy = 'Fail';
  defaultMatchResources(spec.matchConstraints);
}

/** The printer columns of a policy binding (Validating and Mutating alike), as upstream's. */
export function bindingPrinterColumns<T extends { spec?: { policyName?: string | null; paramRef?: ParamRef | null } | null }>(): PrinterColumn<T>[] {
  return [
    { name: 'PolicyName', type: 'string', description: 'PolicyName indicates the policy definition which the policy binding binded to', cell: (obj) => str(obj.spec?.policyName) },
    { name: 'ParamRef', type: 'string', description: 'ParamRef indicates the param resource which sets the configration param', cell: (obj) => paramRefCell(obj.spec?.paramRef) },
  ];
}

