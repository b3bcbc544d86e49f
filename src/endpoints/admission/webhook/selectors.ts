/**
 * The label selectors of webhooks and policies, as upstream's namespace and object matchers
 * apply them: `namespaceSelector` against the labels of the request's namespace (a Namespace
 * created or updated: its own new labels; a cluster-scoped object other than a Namespace is
 * never exempted), `objectSelector` against the new or the old object's labels.
 */
import type * as metav1 from '../../../../gen/kube/meta-v1.js';
import { ApiError } from '../../../machinery/errors/index.js';
import type { KubeObject } from '../../../machinery/meta/object.js';
import { labelSelectorFromObject } from '../../../machinery/selection/index.js';
import type { AdmissionAttributes } from '../../../registry/rest/admission.js';
import type { CoreObjectLookup } from '../../core-lookup.js';

type Selector = metav1.LabelSelector | undefined;

const labelsOf = (obj: KubeObject | undefined): Record<string, string> => (obj?.metadata?.labels ?? {}) as Record<string, string>;

const isEmpty = (sel: Selector): boolean => !sel || ((sel.matchLabels === undefined || Object.keys(sel.matchLabels).length === 0) && (sel.matchExpressions ?? []).length === 0);

const compile = (sel: metav1.LabelSelector) =>
  labelSelectorFromObject({
    ...(sel.matchLabels ? { matchLabels: sel.matchLabels } : {}),
    matchExpressions: (sel.matchExpressions ?? []).map((e) => ({ key: e.key ?? '', operator: e.operator ?? '', values: e.values ?? [] })),
  });

/** Whether the object selector matches the new or the old object (an empty selector matches everything). */
export function objectSelectorMatches(sel: Selector, a: Pick<AdmissionAttributes, 'object' | 'oldObject'>): boolean {
  if (isEmpty(sel)) return true;
  const s = compile(sel as metav1.LabelSelector);
  return (a.object !== undefined && s.matches(labelsOf(a.object))) || (a.oldObject !== undefined && s.matches(labelsOf(a.oldObject)));
}

/** The namespace whose labels a namespace selector sees; for a Namespace request, the Namespace's own name. */
export function namespaceNameOf(a: Pick<AdmissionAttributes, 'group' | 'resource' | 'namespace' | 'name'>): string | undefined {
  if (a.group === '' && a.resource === 'namespaces') return a.name;
  return a.namespace;
}

/**
 * Whether the namespace selector matches. The labels are read only when the selector is not
 * empty; a namespace that does not exist is upstream's 404 for it.
 */
export async function namespaceSelectorMatches(sel: Selector, a: AdmissionAttributes, lookup: CoreObjectLookup): Promise<boolean> {
  const isNamespace = a.group === '' && a.resource === 'namespaces';
  if (!a.namespace && !isNamespace) return true;
  if (isEmpty(sel)) return true;
  let labels: Record<string, string>;
  if (isNamespace && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
    labels = labelsOf(a.object);
  } else {
    const name = namespaceNameOf(a) ?? '';
    const ns = await lookup('namespaces', undefined, name);
    if (!ns) throw new ApiError('NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
    labels = labelsOf(ns);
  }
  return compile(sel as metav1.LabelSelector).matches(labels);
}
