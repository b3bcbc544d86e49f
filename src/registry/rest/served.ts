/**
 * A resource as one served version shows it. The declared ResourceDefinition holds every
 * version; a ServedResource is the flat view of one (group, version, resource): that
 * version's messages, the kind and names it serves under (an alias has its own), and
 * conversion to and from the storage version. Everything the endpoints see is a
 * ServedResource.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { type KindSchema, protoKindSchema } from '../../machinery/runtime/kind-schema.js';
import { definitionApiVersion, type ResourceAlias, type ResourceDefinition, type ResourceVersion } from './definition.js';

/** The flat view of a resource at one served version. */
export interface ServedResource extends Omit<ResourceDefinition, 'versions' | 'aliases'> {
  version: string;
  /** Full protobuf message names of the object and its list at this version. */
  typeName: string;
  listTypeName: string;
  /** How bodies of this version are read, and its OpenAPI component. */
  schema: KindSchema;
  /** The declared resource this view serves. */
  readonly definition: ResourceDefinition;
  /** Storage-version object → this version's, with this version's apiVersion and kind. */
  fromStorage(obj: KubeObject): KubeObject;
  /** This version's object → the storage version's, with the storage apiVersion and kind. */
  toStorage(obj: KubeObject): KubeObject;
  /** Served only when --runtime-config turns it on (see ResourceVersion.offByDefault). */
  offByDefault?: boolean;
  /** This version's decode-time defaults, when it has any (applied in place). */
  defaults?: (obj: KubeObject) => void;
}

function withTypeMeta(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion, kind, ...rest };
}

function view(def: ResourceDefinition, v: ResourceVersion, alias: ResourceAlias | undefined): ServedResource {
  const { versions: _versions, aliases: _aliases, ...facts } = def;
  const storageApiVersion = definitionApiVersion({ group: def.group, version: def.storageVersion });
  const apiVersion = definitionApiVersion({ group: def.group, version: v.version });
  const names = alias
    ? { resource: alias.resource, kind: alias.kind, listKind: alias.listKind, singular: alias.singular, shortNames: alias.shortNames ?? [], categories: alias.categories ?? [] }
    : {};
  const served: ServedResource = {
    ...facts,
    ...names,
    version: v.version,
    typeName: v.typeName,
    listTypeName: v.listTypeName,
    schema: v.schema ?? protoKindSchema({ group: def.group, version: v.version, kind: alias?.kind ?? def.kind }, v.typeName, v.listTypeName),
    definition: def,
    fromStorage: (obj) => withTypeMeta(v.fromStorage ? v.fromStorage(obj) : obj, apiVersion, served.kind),
    toStorage: (obj) => withTypeMeta(v.toStorage ? v.toStorage(obj) : obj, storageApiVersion, def.kind),
  };
  if (v.defaults) served.defaults = v.defaults;
  if (v.offByDefault) served.offByDefault = true;
  if (alias && !alias.shortNames) delete served.shortNames;
  if (alias && !alias.categories) delete served.categories;
  return served;
}

/** The declared resource at its storage version (where the generic store works). */
export function storageView(def: ResourceDefinition): ServedResource {
  const v = def.versions.find((x) => x.version === def.storageVersion);
  if (!v) throw new Error(`${def.resource}.${def.group}: storage version ${def.storageVersion} is not one of its versions`);
  return view(def, v, undefined);
}

/** Every (version, resource name) the declared resource can be served as, own names first. */
export function servedViews(def: ResourceDefinition): ServedResource[] {
  const own = def.versions.map((v) => (v.version === def.storageVersion ? storageView(def) : view(def, v, undefined)));
  const aliased = (def.aliases ?? []).flatMap((a) => a.versions.map((v) => view(def, v, a)));
  return [...own, ...aliased];
}

/** True when the view serves the stored objects unchanged (the storage version under its own name). */
export function isStorageView(served: ServedResource): boolean {
  return served.version === served.definition.storageVersion && served.kind === served.definition.kind && served.resource === served.definition.resource;
}
