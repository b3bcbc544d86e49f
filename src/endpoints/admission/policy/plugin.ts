/**
 * The ValidatingAdmissionPolicy plugin (admissionregistration.k8s.io/v1) as upstream's
 * dispatcher runs it: each policy whose `matchConstraints` cover the request, with each of its
 * bindings whose `matchResources` do, once per parameter object the binding's `paramRef`
 * selects (none when the policy has no `paramKind` or the binding no `paramRef`: `params` is
 * null). A failed validation acts as the binding's `validationActions` say: Deny refuses,
 * Warn sends a warning, Audit is recorded only where an audit sink is wired. The first denial
 * is the answer: `RESOURCE "NAME" is forbidden: ValidatingAdmissionPolicy 'P' with binding
 * 'B' denied request: MESSAGE`, with the validation's reason (Invalid, 422, by default).
 */
import type { CelInput } from '@bufbuild/cel';
import { celRequestValue } from './request-value.js';
import type { ParamKind, ParamRef, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../../gen/kube/admissionregistration-v1.js';
import { ApiError, toApiError, type StatusReason } from '../../../machinery/errors/index.js';
import type { KubeObject } from '../../../machinery/meta/object.js';
import { labelSelectorFromObject } from '../../../machinery/selection/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../registry/rest/admission.js';
import type { ApiCatalog } from '../../catalog.js';
import type { CoreObjectLookup } from '../../core-lookup.js';
import { viewsReady, type LiveObjects } from '../webhook/live-objects.js';
import { notReady } from '../webhook/plugins.js';
import { isExemptAdmissionConfiguration } from '../webhook/rules.js';
import { versionConverter } from '../webhook/versioned.js';
import { toCel } from './cel.js';
import { matchResources } from './matching.js';
import { compilePolicy, type CompiledPolicy, type PolicyDecision } from './validator.js';

/** What the plugin needs from the server. */
export interface PolicyDependencies {
  catalog: ApiCatalog;
  lookup: CoreObjectLookup;
  policies: LiveObjects<ValidatingAdmissionPolicy>;
  bindings: LiveObjects<ValidatingAdmissionPolicyBinding>;
}

interface Denial {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
}

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

/** The name upstream's admission errors use: the request's, else the object's name or generateName, else `Unknown`. */
function nameForError(a: AdmissionAttributes): string {
  if (a.name) return a.name;
  const meta = (a.object ?? a.oldObject)?.metadata;
  return meta?.name || meta?.generateName || 'Unknown';
}

/** upstream's refusal: admission.NewForbidden's wording with the decision's reason and code. */
function denied(a: AdmissionAttributes, d: Denial): ApiError {
  const inner = d.binding !== undefined ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}` : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
  const name = nameForError(a);
  const reason = d.reason || 'Invalid';
  const code = REASON_CODES[reason] ?? 500;
  return new ApiError(reason as StatusReason, `${resource} "${name}" is forbidden: ${inner}`, { name, ...(a.group ? { group: a.group } : {}), kind: a.resource, causes: [{ message: inner }] }, code);
}

/** The Namespace as CEL's `namespaceObject` shows it: metadata without managed fields and owners, spec, status. */
function namespaceValue(ns: KubeObject): Record<string, unknown> {
  const m = ns.metadata ?? {};
  const keep = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers'] as const;
  const metadata: Record<string, unknown> = {};
  for (const k of keep) if ((m as Record<string, unknown>)[k] !== undefined) metadata[k] = (m as Record<string, unknown>)[k];
  return { apiVersion: 'v1', kind: 'Namespace', metadata, spec: (ns as { spec?: unknown }).spec ?? {}, status: (ns as { status?: unknown }).status ?? {} };
}

/** A configuration error of a binding (upstream's CollectParams), worded as upstream's. */
class BindingConfigError extends Error {}

/** The parameter objects a binding gives its policy; `[null]`: evaluate once without. */
async function collectParams(deps: PolicyDependencies, paramKind: ParamKind | undefined, ref: ParamRef | undefined, namespace: string | undefined): Promise<(KubeObject | null)[]> {
  if (!paramKind || !ref) return [null];
  const apiVersion = paramKind.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
  const store = deps.catalog.kind(group, version, paramKind.kind ?? '');
  const kindString = `${group ? `${group}/` : ''}${version}, Kind=${paramKind.kind ?? ''}`;
  if (!store) throw new BindingConfigError(`paramKind kind \`${kindString}\` not known`);
  const namespaced = store.definition.namespaced;
  let paramsNamespace: string | undefined;
  if (namespaced) {
    paramsNamespace = ref.namespace || namespace;
    if (!paramsNamespace) throw new BindingConfigError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new BindingConfigError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KubeObject[];
  if (ref.name) {
    try {
      params = [await store.get(paramsNamespace, ref.name)];
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') params = [];
      else throw err;
    }
  } else if (ref.selector) {
    const sel = labelSelectorFromObject({
      ...(ref.selector.matchLabels ? { matchLabels: ref.selector.matchLabels } : {}),
      matchExpressions: (ref.selector.matchExpressions ?? []).map((e) => ({ key: e.key ?? '', operator: e.operator ?? '', values: e.values ?? [] })),
    });
    const list = await store.list(paramsNamespace, {});
    params = list.items.filter((o) => sel.matches((o.metadata?.labels ?? {}) as Record<string, string>));
  } else {
    throw new BindingConfigError('one of name or selector must be provided');
  }
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny') throw new BindingConfigError('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params;
}

/** upstream's ValidatingAdmissionPolicy plugin. */
export function validatingAdmissionPolicyPlugin(deps: PolicyDependencies): AdmissionPlugin {
  const compiled = new Map<string, { key: string; policy: CompiledPolicy }>();
  const compiledFor = (p: ValidatingAdmissionPolicy): CompiledPolicy => {
    const name = p.metadata?.name ?? '';
    const key = `${p.metadata?.uid ?? ''}/${p.metadata?.generation ?? p.metadata?.resourceVersion ?? ''}`;
    const hit = compiled.get(name);
    if (hit && hit.key === key) return hit.policy;
    const policy = compilePolicy(p);
    compiled.set(name, { key, policy });
    return policy;
  };

  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (isExemptAdmissionConfiguration(a.kind)) return;
      if (!(await viewsReady([deps.policies, deps.bindings]))) throw notReady(a);
      const policies = deps.policies.items();
      if (compiled.size > policies.length) {
        const names = new Set(policies.map((p) => p.metadata?.name ?? ''));
        for (const name of compiled.keys()) if (!names.has(name)) compiled.delete(name);
      }
      if (policies.length === 0) return;
      const bindings = deps.bindings.items();
      if (bindings.length === 0) return;
      const denials: Denial[] = [];
      let namespaceObject: CelInput | undefined;
      const namespaceOf = async (): Promise<CelInput> => {
        if (namespaceObject !== undefined) return namespaceObject;
        const isNamespace = a.group === '' && a.resource === 'namespaces';
        if (!a.namespace || isNamespace) return (namespaceObject = null);
        const ns = await deps.lookup('namespaces', undefined, a.namespace);
        if (!ns) throw new ApiError('NotFound', `namespaces "${a.namespace}" not found`, { name: a.namespace, kind: 'namespaces' });
        return (namespaceObject = toCel(namespaceValue(ns)));
      };

      for (const policy of policies) {
        const name = policy.metadata?.name ?? '';
        const own = bindings.filter((b) => b.spec?.policyName === name);
        if (own.length === 0) continue;
        const failClosed = policy.spec?.failurePolicy !== 'Ignore';
        const configError = (message: string, binding?: string): void => {
          if (failClosed) denials.push({ policy: name, ...(binding !== undefined ? { binding } : {}), message });
        };
        const constraints = policy.spec?.matchConstraints;
        if (!constraints) {
          configError('failed to configure policy: policy contained no match constraints, a required field');
          continue;
        }
        const match = await matchResources(constraints, a, deps.catalog, deps.lookup);
        if (!match) continue;
        const program = compiledFor(policy);
        const converter = versionConverter(deps.catalog, a, match);
        const object = a.object ? converter.toTarget(a.object) : undefined;
        const oldObject = a.oldObject ? converter.toTarget(a.oldObject) : undefined;

        for (const binding of own) {
          const bindingName = binding.metadata?.name ?? '';
          const m = binding.spec?.matchResources;
          if (m && !(await matchResources(m, a, deps.catalog, deps.lookup))) continue;
          let params: (KubeObject | null)[];
          try {
            params = await collectParams(deps, policy.spec?.paramKind, binding.spec?.paramRef, a.namespace);
          } catch (err) {
            if (err instanceof BindingConfigError) {
              configError(`failed to configure binding: ${err.message}`, bindingName);
              continue;
            }
            throw toApiError(err);
          }
          if (params.length === 0) continue;
          const base: Record<string, CelInput> = {
            object: toCel(object ?? null),
            oldObject: toCel(oldObject ?? null),
            request: toCel(celRequestValue(a, match)),
            namespaceObject: await namespaceOf(),
          };
          const actions = binding.spec?.validationActions ?? [];
          for (const param of params) {
            const decisions: PolicyDecision[] = program.evaluate({ ...base, params: toCel(param) });
            for (const d of decisions) {
              if (d.action !== 'deny') continue;
              for (const action of actions) {
                if (action === 'Deny') denials.push({ policy: name, binding: bindingName, message: d.message ?? '', ...(d.reason ? { reason: d.reason } : {}) });
                else if (action === 'Warn') a.warnings?.push(`Validation failed for ValidatingAdmissionPolicy '${name}' with binding '${bindingName}': ${d.message ?? ''}`);
              }
            }
          }
        }
      }
      const first = denials[0];
      if (first) throw denied(a, first);
    },
  };
}
