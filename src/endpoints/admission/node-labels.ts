/**
 * The Node labels a kubelet may set on its own Node (upstream's k8s.io/kubelet/pkg/apis
 * IsKubeletLabel, and NodeRestriction's getForbiddenLabels): anything outside the
 * `kubernetes.io` and `k8s.io` namespaces, the kubelet's well-known labels and the
 * `kubelet.kubernetes.io` and `node.kubernetes.io` namespaces; never the
 * `node-restriction.kubernetes.io` namespace, which is the administrator's.
 */

/** The well-known labels the kubelet sets itself. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
/** Label namespaces the kubelet may use freely (and their subdomains). */
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** A label key's prefix (before the `/`), "" when it has none. */
function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** Whether `namespace` is `domain` or one of its subdomains. */
function within(namespace: string, domain: string): boolean {
  return namespace === domain || namespace.endsWith(`.${domain}`);
}

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => within(ns, d));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return within(ns, 'kubernetes.io') || within(ns, 'k8s.io');
}

/** The keys whose value differs between `a` and `b` (added, removed or changed). */
export function modifiedLabels(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !(k in a) || !(k in b) || a[k] !== b[k]);
}

/** Of `modified`, the keys a node may not add, remove or change, sorted (as upstream's sets.String.List). */
export function forbiddenNodeLabels(modified: string[]): string[] {
  const forbidden = modified.filter((k) => within(labelNamespace(k), NODE_RESTRICTION_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k)));
  return [...new Set(forbidden)].sort();
}
