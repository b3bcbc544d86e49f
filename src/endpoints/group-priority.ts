/**
 * The order of API groups and of versions within a group in discovery, as kube-apiserver's
 * aggregator gives it: every built-in group version has an APIService priority (a group
 * priority, higher first, and a version priority within the group, higher first). The
 * numbers below are upstream 1.33's (the generic control plane's table merged with
 * kube-apiserver's own); groups not listed (custom resources) get what upstream gives a
 * CRD's APIService: group 1000, version 100.
 */
import { compareVersions } from '../machinery/meta/gvk.js';

interface Priority {
  group: number;
  version: number;
}

/** `group/version` → priority. */
const PRIORITIES: Readonly<Record<string, Priority>> = {
  // Not a priority upstream: the aggregator lists its own group before every other one.
  'apiregistration.k8s.io/v1': { group: 20000, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'events.k8s.io/v1': { group: 17750, version: 15 },
  'events.k8s.io/v1beta1': { group: 17750, version: 5 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authentication.k8s.io/v1beta1': { group: 17700, version: 9 },
  'authentication.k8s.io/v1alpha1': { group: 17700, version: 1 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'autoscaling/v2beta1': { group: 17500, version: 9 },
  'autoscaling/v2beta2': { group: 17500, version: 1 },
  'batch/v1': { group: 17400, version: 15 },
  'batch/v1beta1': { group: 17400, version: 9 },
  'batch/v2alpha1': { group: 17400, version: 9 },
  'certificates.k8s.io/v1': { group: 17300, version: 15 },
  'certificates.k8s.io/v1beta1': { group: 17300, version: 9 },
  'certificates.k8s.io/v1alpha1': { group: 17300, version: 1 },
  'networking.k8s.io/v1': { group: 17200, version: 15 },
  'networking.k8s.io/v1beta1': { group: 17200, version: 9 },
  'networking.k8s.io/v1alpha1': { group: 17200, version: 1 },
  'policy/v1': { group: 17100, version: 15 },
  'policy/v1beta1': { group: 17100, version: 9 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'storage.k8s.io/v1beta1': { group: 16800, version: 9 },
  'storage.k8s.io/v1alpha1': { group: 16800, version: 1 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1beta1': { group: 16700, version: 12 },
  'admissionregistration.k8s.io/v1alpha1': { group: 16700, version: 9 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'coordination.k8s.io/v1beta1': { group: 16500, version: 13 },
  'coordination.k8s.io/v1alpha2': { group: 16500, version: 12 },
  'node.k8s.io/v1': { group: 16300, version: 15 },
  'node.k8s.io/v1beta1': { group: 16300, version: 9 },
  'node.k8s.io/v1alpha1': { group: 16300, version: 1 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
  'discovery.k8s.io/v1beta1': { group: 16200, version: 12 },
  'resource.k8s.io/v1beta2': { group: 16200, version: 15 },
  'resource.k8s.io/v1beta1': { group: 16200, version: 9 },
  'resource.k8s.io/v1alpha3': { group: 16200, version: 1 },
  'flowcontrol.apiserver.k8s.io/v1': { group: 16100, version: 21 },
  'flowcontrol.apiserver.k8s.io/v1beta3': { group: 16100, version: 18 },
  'flowcontrol.apiserver.k8s.io/v1beta2': { group: 16100, version: 15 },
  'flowcontrol.apiserver.k8s.io/v1beta1': { group: 16100, version: 12 },
  'flowcontrol.apiserver.k8s.io/v1alpha1': { group: 16100, version: 9 },
  'internal.apiserver.k8s.io/v1alpha1': { group: 16000, version: 9 },
  'storagemigration.k8s.io/v1alpha1': { group: 15800, version: 9 },
};

/** What upstream gives the APIService of a custom resource's group version. */
const UNLISTED_GROUP = 1000;
const UNLISTED_VERSION = 100;

function known(group: string): boolean {
  return Object.keys(PRIORITIES).some((gv) => gv.startsWith(`${group}/`));
}

/** The priority of one group version. */
export function groupVersionPriority(group: string, version: string): Priority {
  const p = PRIORITIES[`${group}/${version}`];
  if (p) return p;
  // A version upstream's table lacks, in a group it lists: the group's place, the lowest version rank.
  if (known(group)) return { group: Math.max(...Object.entries(PRIORITIES).filter(([gv]) => gv.startsWith(`${group}/`)).map(([, v]) => v.group)), version: 0 };
  return { group: UNLISTED_GROUP, version: UNLISTED_VERSION };
}

/** Versions of one group, most preferred first: higher version priority, then Kubernetes version order. */
export function compareVersionsInGroup(group: string, a: string, b: string): number {
  return groupVersionPriority(group, b).version - groupVersionPriority(group, a).version || compareVersions(a, b);
}

/**
 * Named groups in aggregated discovery order: the highest group priority of their versions
 * first, equal priorities by group name.
 */
export function compareGroupsAggregated(a: { name: string; versions: string[] }, b: { name: string; versions: string[] }): number {
  const pa = Math.max(...a.versions.map((v) => groupVersionPriority(a.name, v).group));
  const pb = Math.max(...b.versions.map((v) => groupVersionPriority(b.name, v).group));
  return pb - pa || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Named groups in `/apis` order: the aggregator sorts every APIService by group priority
 * (higher first) and then by its name (`VERSION.GROUP`), and a group takes the place of its
 * first APIService.
 */
export function legacyGroupOrder(groups: readonly { name: string; versions: string[] }[]): string[] {
  const services = groups.flatMap((g) => g.versions.map((v) => ({ group: g.name, priority: groupVersionPriority(g.name, v).group, name: `${v}.${g.name}` })));
  services.sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const order: string[] = [];
  for (const s of services) if (!order.includes(s.group)) order.push(s.group);
  return order;
}
