/** One OpenAPI 3.0 document per served group version. */
import type { KindRef } from '../../registry/rest/definition.js';
import type { ServedResource } from '../../registry/rest/served.js';
import type { ServedGroupVersion } from '../catalog.js';
import { type ComponentSet, createComponentSet, typeMetaProperties } from './components.js';
import { customComponentName, refTo, type Schema } from './names.js';
import { addResourcePaths, type ResourceSchemaNames } from './paths.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Adds a kind without a proto message (a custom resource): open object with metadata. */
function addCustomKind(components: ComponentSet, def: ServedResource): { kind: string; list: string } {
  const objectMeta = components.addMessage(`${META}.ObjectMeta`);
  const listMeta = components.addMessage(`${META}.ListMeta`);
  const kind = customComponentName(def.group, def.version, def.kind);
  const list = customComponentName(def.group, def.version, def.listKind);
  // A kind with an OpenAPI schema of its own (a custom resource) publishes it; without one, an open object.
  const own = def.schema.openapi;
  const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...ownProperties } = own?.properties ?? {};
  components.put(kind, {
    ...(own ?? { 'x-kubernetes-preserve-unknown-fields': true }),
    type: 'object',
    properties: { ...typeMetaProperties(), metadata: { allOf: [refTo(objectMeta)] }, ...ownProperties },
  });
  components.put(list, {
    type: 'object',
    properties: {
      ...typeMetaProperties(),
      items: { type: 'array', items: { allOf: [refTo(kind)] } },
      metadata: { allOf: [refTo(listMeta)] },
    },
  });
  return { kind, list };
}

/** Builds the document of one group version. */
export function buildGroupVersionDocument(gv: ServedGroupVersion): Record<string, unknown> {
  const components = createComponentSet();
  const paths: Record<string, Schema> = {};
  const status = components.addMessage(`${META}.Status`);
  components.markKind(status, { group: '', version: 'v1', kind: 'Status' });
  const deleteOptions = components.addMessage(`${META}.DeleteOptions`);
  components.markKind(deleteOptions, { group: gv.group, version: gv.version, kind: 'DeleteOptions' });
  const patch = components.addMessage(`${META}.Patch`);

  for (const { definition: def } of gv.resources) {
    // A create-only kind (bindings) has no list message.
    const listless = def.listTypeName === '';
    const builtin = components.has(def.typeName) && (listless || components.has(def.listTypeName));
    let kind: string;
    let list: string;
    if (builtin) {
      kind = components.addMessage(def.typeName);
      list = listless ? '' : components.addMessage(def.listTypeName);
    } else {
      ({ kind, list } = addCustomKind(components, def));
    }
    components.markKind(kind, { group: def.group, version: def.version, kind: def.kind });
    if (list) components.markKind(list, { group: def.group, version: def.version, kind: def.listKind });
    const subresourceKind = (ref: KindRef): string => {
      const name = components.addMessage(ref.typeName);
      components.markKind(name, { group: ref.group, version: ref.version, kind: ref.kind });
      return name;
    };
    const names: ResourceSchemaNames = { kind, list, status, deleteOptions, patch, builtin, subresourceKind };
    addResourcePaths(paths, def, names);
  }

  const sortedPaths: Record<string, Schema> = {};
  for (const k of Object.keys(paths).sort()) sortedPaths[k] = paths[k]!;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: sortedPaths,
    components: { schemas: components.schemas() },
  };
}
