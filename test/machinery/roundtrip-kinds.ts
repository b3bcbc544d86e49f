/**
 * The kinds the fixture round-trip oracle checks, named as the fixtures are
 * (GROUP.VERSION.KIND), and how a fixture name maps to a message full name.
 * Single source of the list, so that it can later be derived from the registry.
 */

/** Fixture names (GROUP.VERSION.KIND) of the kinds we serve. */
export const SERVED_FIXTURE_KINDS: readonly string[] = [
  'core.v1.Namespace',
  'core.v1.ConfigMap',
  'core.v1.Secret',
  'core.v1.Pod',
  'core.v1.Service',
  'core.v1.Endpoints',
  'core.v1.ServiceAccount',
  'core.v1.Event',
  'core.v1.Node',
  'apps.v1.Deployment',
  'batch.v1.Job',
  'batch.v1.CronJob',
  'core.v1.Status',
  'core.v1.DeleteOptions',
  'core.v1.ListOptions',
  'core.v1.CreateOptions',
  'core.v1.UpdateOptions',
  'core.v1.GetOptions',
  'core.v1.PatchOptions',
  'core.v1.WatchEvent',
  'core.v1.APIGroup',
  'core.v1.APIVersions',
];

/** meta/v1 kinds that upstream registers (and the fixtures name) under core v1. */
const META_KINDS_IN_CORE = new Set([
  'Status',
  'DeleteOptions',
  'ListOptions',
  'CreateOptions',
  'UpdateOptions',
  'GetOptions',
  'PatchOptions',
  'WatchEvent',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'APIResourceList',
]);

/** "apps.v1.Deployment" -> "k8s.io.api.apps.v1.Deployment"; core meta kinds -> meta/v1. */
export function fixtureTypeName(fixture: string): string {
  const parts = fixture.split('.');
  const kind = parts[parts.length - 1] ?? '';
  const version = parts[parts.length - 2] ?? '';
  const group = parts.slice(0, -2).join('.');
  if (group === 'core' && META_KINDS_IN_CORE.has(kind)) return `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`;
  // Upstream Go package: the group's first DNS label (apps, batch, core, ...).
  const pkg = group.split('.')[0] ?? group;
  return `k8s.io.api.${pkg}.${version}.${kind}`;
}
