/**
 * A resource's facts come from its one declaration, proto/wheelhouse/resources.yaml
 * (compiled into gen/resources.ts with its gRPC services): names, scope, versions and
 * their messages, the storage version. A definition spreads them and adds what only code
 * can say: strategies, and each version's conversion from and to the storage version.
 */
import { RESOURCES, type ResourceFacts } from '../../../gen/resources.js';
import type { ResourceAlias, ResourceDefinition, ResourceVersion } from './definition.js';

/** Per version: how it converts (when it is not the storage version's schema) and defaults. */
export type VersionHooks = Readonly<Record<string, Pick<ResourceVersion, 'fromStorage' | 'toStorage' | 'defaults'>>>;

/** The declared facts a definition spreads. */
export type DeclaredFacts = Pick<
  ResourceDefinition,
  'group' | 'resource' | 'kind' | 'listKind' | 'singular' | 'namespaced' | 'shortNames' | 'categories' | 'versions' | 'storageVersion'
>;

function factsOf(group: string, resource: string): ResourceFacts {
  const facts = RESOURCES.find((r) => r.group === group && r.resource === resource);
  if (!facts) throw new Error(`${resource}.${group || 'core'} is not declared in proto/wheelhouse/resources.yaml`);
  return facts;
}

function versionsOf(facts: ResourceFacts, hooks: VersionHooks): ResourceVersion[] {
  for (const v of Object.keys(hooks)) {
    if (!facts.versions.some((x) => x.version === v)) throw new Error(`${facts.resource}.${facts.group || 'core'} declares no version ${v}`);
  }
  return facts.versions.map((v) => ({
    version: v.version,
    typeName: v.objectType,
    listTypeName: v.listType,
    ...(v.offByDefault ? { offByDefault: true } : {}),
    ...hooks[v.version],
  }));
}

/** The declared facts of `resource` in `group`, with the given per-version hooks. */
export function declared(group: string, resource: string, hooks: VersionHooks = {}): DeclaredFacts {
  const facts = factsOf(group, resource);
  if (facts.aliasOf !== undefined) throw new Error(`${resource}.${group || 'core'} is an alias of ${facts.aliasOf}: use declaredAlias`);
  const storage = facts.versions.find((v) => v.storage);
  if (!storage) throw new Error(`${resource}.${group || 'core'} has no storage version`);
  const out: DeclaredFacts = {
    group,
    resource,
    kind: facts.kind,
    listKind: facts.listKind,
    singular: facts.singular,
    namespaced: facts.namespaced,
    versions: versionsOf(facts, hooks),
    storageVersion: storage.version,
  };
  if (facts.shortNames.length) out.shortNames = [...facts.shortNames];
  if (facts.categories.length) out.categories = [...facts.categories];
  return out;
}

/** The declared facts of an alias (`aliasOf` in the declaration), with its per-version hooks. */
export function declaredAlias(group: string, resource: string, hooks: VersionHooks = {}): ResourceAlias {
  const facts = factsOf(group, resource);
  if (facts.aliasOf === undefined) throw new Error(`${resource}.${group || 'core'} is not declared as an alias`);
  const alias: ResourceAlias = { resource, kind: facts.kind, listKind: facts.listKind, singular: facts.singular, versions: versionsOf(facts, hooks) };
  if (facts.shortNames.length) alias.shortNames = [...facts.shortNames];
  if (facts.categories.length) alias.categories = [...facts.categories];
  return alias;
}
