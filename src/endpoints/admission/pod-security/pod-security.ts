/**
 * PodSecurity (upstream's plugin of that name, k8s.io/pod-security-admission): validating
 * admission of Pods, pod controllers and Namespaces against the Pod Security Standards level
 * each namespace's `pod-security.kubernetes.io/*` labels choose.
 * - Pods (create, and updates that change a container image or add a container): a
 *   violation of the enforce level is 403 Forbidden; of the warn level, a warning.
 * - Pod controllers and PodTemplates: never refused; violations of the warn level (which an
 *   explicit stricter enforce level raises) are warnings.
 * - Namespaces: invalid labels are 422 Invalid (on update, only when they changed); a
 *   stricter enforce level warns about the existing pods that would violate it.
 * There are no exemptions (upstream has none unless configured). Audit annotations are not
 * recorded.
 */
import { forbidden, internalError, invalid, ApiError } from '../../../machinery/errors/index.js';
import type { KubeObject } from '../../../machinery/meta/object.js';
import { toCauses } from '../../../machinery/validation/field-error.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../registry/rest/admission.js';
import type { ResourceStore } from '../../../registry/rest/resource-store.js';
import type { NamespaceCache } from '../namespace-lifecycle.js';
import { evaluatePod } from './evaluate.js';
import { existingPodWarnings } from './existing-pods.js';
import { compareLevels, levelVersionString, policyToEvaluate, type Policy } from './levels.js';
import type { Container, PodMetadata, PodSpec } from './pod-shape.js';
import { isPodController, podTemplateOf } from './pod-templates.js';

/** Pod subresources that cannot change what PodSecurity checks. */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

type Labels = Record<string, string> | undefined;
const labelsOf = (obj: KubeObject | undefined): Labels => obj?.metadata?.labels as Labels;

/** Whether a pod update touches what the checks read (upstream's isSignificantPodUpdate: images and added containers). */
function significantPodUpdate(pod: PodSpec, old: PodSpec): boolean {
  const image = (c: Container | undefined) => c?.image;
  for (const key of ['containers', 'initContainers'] as const) {
    const now = pod[key] ?? [];
    const before = old[key] ?? [];
    if (now.length !== before.length) return true;
    if (now.some((c, i) => image(c) !== image(before[i]))) return true;
  }
  for (const c of pod.ephemeralContainers ?? []) {
    const previous = (old.ephemeralContainers ?? []).find((o) => o.name === c.name);
    if (!previous || image(previous) !== image(c)) return true;
  }
  return false;
}

function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';
}

/** The PodSecurity plugin over the namespaces' and pods' storage stores and the namespace cache. */
export function podSecurityAdmission(namespaces: () => ResourceStore, pods: () => ResourceStore, cache: NamespaceCache): AdmissionPlugin {
  const lookup = async (namespace: string): Promise<KubeObject> => cache.get(namespace) ?? (await namespaces().get(undefined, namespace));

  const warn = (a: AdmissionAttributes, policy: Policy, meta: PodMetadata | undefined, spec: PodSpec | undefined) => {
    const v = evaluatePod(policy.warn.level, meta, spec);
    if (v) a.warnings?.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${v.details}`);
  };

  async function validatePod(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== undefined && IGNORED_POD_SUBRESOURCES.has(a.subresource)) return;
    if (!a.object || !a.namespace) return;
    let ns: KubeObject;
    try {
      ns = await lookup(a.namespace);
    } catch (err) {
      if (err instanceof ApiError && err.reason !== 'NotFound') throw err;
      throw internalError(new Error(`failed to lookup namespace ${JSON.stringify(a.namespace)}`));
    }
    const { policy, errors } = policyToEvaluate(labelsOf(ns));
    if (errors.length === 0 && fullyPrivileged(policy)) return;
    const spec = (a.object.spec ?? {}) as PodSpec;
    if (a.operation === 'UPDATE' && a.oldObject && !significantPodUpdate(spec, (a.oldObject.spec ?? {}) as PodSpec)) return;
    const meta = a.object.metadata as PodMetadata | undefined;
    const violation = evaluatePod(policy.enforce.level, meta, spec);
    if (violation) {
      const name = a.object.metadata?.name || a.name;
      throw forbidden({ group: '', resource: 'pods' }, name, `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${violation.details}`);
    }
    warn(a, policy, meta, spec);
  }

  async function validatePodController(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== undefined || !a.object || !a.namespace) return;
    let ns: KubeObject;
    try {
      ns = await lookup(a.namespace);
    } catch {
      return; // upstream allows (and only records the error)
    }
    const { policy, errors } = policyToEvaluate(labelsOf(ns));
    if (errors.length === 0 && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    const template = podTemplateOf(a.group, a.resource, a.object);
    if (!template) return;
    warn(a, policy, template.metadata, template.spec);
  }

  async function validateNamespace(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== undefined || !a.object) return;
    const now = policyToEvaluate(labelsOf(a.object));
    const refuse = () => invalid('Namespace', '', a.name || (a.object?.metadata?.name ?? ''), toCauses(now.errors));
    if (a.operation === 'CREATE') {
      if (now.errors.length) throw refuse();
      return;
    }
    if (a.operation !== 'UPDATE' || !a.oldObject) return;
    const before = policyToEvaluate(labelsOf(a.oldObject));
    if (now.errors.length && (before.errors.length === 0 || JSON.stringify(now.errors) !== JSON.stringify(before.errors))) throw refuse();
    const [next, prev] = [now.policy.enforce, before.policy.enforce];
    if (next.level === prev.level && next.version === prev.version) return;
    if (next.level === 'privileged') return;
    if (next.version === prev.version && compareLevels(next.level, prev.level) < 1) return;
    const list = await pods().list(a.name, { resourceVersion: '0' });
    for (const w of existingPodWarnings(a.name, next, list.items)) a.warnings?.push(w);
  }

  return {
    name: 'PodSecurity',
    async validate(a) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (a.group === '' && a.resource === 'namespaces') return validateNamespace(a);
      if (a.group === '' && a.resource === 'pods') return validatePod(a);
      if (isPodController(a.group, a.resource)) return validatePodController(a);
    },
  };
}
