/**
 * Oracle: every multi-version resource converts upstream's fixture of each of its served
 * versions into every other served version and back without losing a field. The
 * resources, versions and aliases come from the registry's definitions, so a version
 * added later is checked without anyone remembering to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedViews, storageView, type ServedResource } from '../../src/registry/rest/served.js';
import { hasFixture } from '../machinery/fixture-files.js';
import { assertSameJson, loadFixtureJson } from '../machinery/roundtrip-checks.js';

const fixtureName = (v: ServedResource): string => `${v.group || 'core'}.${v.version}.${v.kind}`;

/** A served version's fixture: upstream's, or (for versions upstream no longer ships) the storage fixture converted. */
function fixtureFor(view: ServedResource): { source: string; object: KubeObject } | undefined {
  if (hasFixture(fixtureName(view))) return { source: fixtureName(view), object: loadFixtureJson(fixtureName(view)) as KubeObject };
  const storage = storageView(view.definition);
  if (!hasFixture(fixtureName(storage))) return undefined;
  return { source: `${fixtureName(storage)} as ${view.version} ${view.kind}`, object: view.fromStorage(loadFixtureJson(fixtureName(storage)) as KubeObject) };
}

function assertKnownFields(view: ServedResource, obj: KubeObject, what: string): void {
  const { apiVersion, kind, ...body } = obj;
  assert.equal(apiVersion, view.group ? `${view.group}/${view.version}` : view.version, `${what}: apiVersion`);
  assert.equal(kind, view.kind, `${what}: kind`);
  assert.deepEqual(view.schema.normalize(body).unknownFields, [], `${what}: every field is one of ${view.typeName}`);
}

for (const def of builtinDefinitions) {
  const views = servedViews(def);
  if (views.length < 2) continue;
  describe(`${def.resource}.${def.group}: every served version converts losslessly`, () => {
    for (const from of views) {
      const fixture = fixtureFor(from);
      if (!fixture) continue;
      for (const to of views) {
        if (to === from) continue;
        it(`${fixture.source} → ${to.version} ${to.kind} (${to.resource}) → back`, () => {
          const original = structuredClone(fixture.object);
          const stored = from.toStorage(original);
          assertSameJson(original, fixture.object, 'the input is not mutated');
          const converted = to.fromStorage(stored);
          assertKnownFields(to, converted, `as ${to.version}`);
          const back = from.fromStorage(to.toStorage(converted));
          assertKnownFields(from, back, 'back');
          assertSameJson(back, fixture.object, `${fixture.source} after a trip through ${to.version}`);
          assertSameJson(to.toStorage(converted), stored, 'the stored form is the same either way');
        });
      }
    }
  });
}
