/**
 * The kinds the fixture round-trip oracle checks, named as the fixtures are
 * (GROUP.VERSION.KIND), and how a fixture name maps to a message full name.
 * The served kinds come from the registry's definitions, so a new resource is checked
 * against its fixture as soon as it is registered.
 */
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedViews, type ServedResource } from '../../src/registry/rest/served.js';
import { hasFixture } from './fixture-files.js';

/** A fixture and the message our schema decodes it with. */
export interface ServedFixture {
  fixture: string;
  typeName: string;
}

/** The fixture (GROUP.VERSION.KIND) of a served resource version, checked against that version's own message. */
function fixtureOf(served: ServedResource): ServedFixture {
  return { fixture: `${served.group || 'core'}.${served.version}.${served.kind}`, typeName: served.typeName };
}

/**
 * Every served version of every resource that upstream has a fixture for, and every
 * storage version (a storage version without a fixture fails the oracle). Versions
 * upstream no longer ships (batch/v2alpha1) are checked by the conversion tests.
 */
function servedFixtures(): ServedFixture[] {
  const seen = new Set<string>();
  const out: ServedFixture[] = [];
  for (const served of builtinDefinitions.flatMap(servedViews)) {
    const f = fixtureOf(served);
    const storage = served.version === served.storageVersion && served.resource === served.definition.resource;
    if (seen.has(f.fixture) || (!storage && !hasFixture(f.fixture))) continue;
    seen.add(f.fixture);
    out.push(f);
  }
  return out;
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
  ...servedFixtures(),
  ...SUBRESOURCE_FIXTURES.map((fixture) => ({ fixture, typeName: fixtureTypeName(fixture) })),
  ...SERVED_META_FIXTURES.map((fixture) => ({ fixture, typeName: fixtureTypeName(fixture) })),
];
