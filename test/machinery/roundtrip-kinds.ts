/**
 * The kinds the fixture round-trip oracle checks, named as the fixtures are
 * (GROUP.VERSION.KIND), and how a fixture name maps to a message full name.
 * The served kinds come from the registry's definitions, so a new resource is checked
 * against its fixture as soon as it is registered.
 */
import { builtinDefinitions } from '../../src/registry/definitions.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';

/** A fixture and the message our schema decodes it with. */
export interface ServedFixture {
  fixture: string;
  typeName: string;
}

/** The fixture (GROUP.VERSION.KIND) of a served resource, checked against the definition's own message. */
function fixtureOf(def: ResourceDefinition): ServedFixture {
  return { fixture: `${def.group || 'core'}.${def.version}.${def.kind}`, typeName: def.typeName };
}

/** meta/v1 types every served group uses on the wire (options, Status, watch events, discovery). */
const SERVED_META_FIXTURES = [
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

/** Kinds that only subresources speak (autoscaling/v1 Scale for `/scale`). */
const SUBRESOURCE_FIXTURES = ['autoscaling.v1.Scale'];

/** Everything we serve: derived from the registry's definitions, plus subresource and meta types. */
export const SERVED_FIXTURES: readonly ServedFixture[] = [
  ...builtinDefinitions.map(fixtureOf),
  ...SUBRESOURCE_FIXTURES.map((fixture) => ({ fixture, typeName: fixtureTypeName(fixture) })),
  ...SERVED_META_FIXTURES.map((fixture) => ({ fixture, typeName: fixtureTypeName(fixture) })),
];
