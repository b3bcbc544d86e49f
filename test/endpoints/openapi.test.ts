/** OpenAPI v3 documents derived from the catalog and the generated proto schema. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ApiCatalog, createCatalog } from '../../src/endpoints/catalog.js';
import { createOpenApiPublisher, type OpenApiPublisher } from '../../src/endpoints/openapi/publisher.js';
import { configMaps } from '../../src/registry/core/configmaps.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { onlyVersion, type ResourceDefinition } from '../../src/registry/rest/definition.js';
import { servedViews, type ServedResource } from '../../src/registry/rest/served.js';
import type { ResourceStore } from '../../src/registry/rest/resource-store.js';

type Json = Record<string, any>;

/** A schema without its description (descriptions are checked in openapi-descriptions.test.ts). */
function shape(schema: Json): Json {
  const { description: _description, ...rest } = schema;
  return rest;
}

const fakePods: ResourceDefinition = {
  ...configMaps,
  resource: 'pods',
  kind: 'Pod',
  listKind: 'PodList',
  singular: 'pod',
  shortNames: ['po'],
  ...onlyVersion('v1', 'k8s.io.api.core.v1.Pod'),
  statusStrategy: configMaps.strategy,
};

const fakeNamespaces: ResourceDefinition = {
  ...configMaps,
  resource: 'namespaces',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  disabledVerbs: ['deletecollection'],
  ...onlyVersion('v1', 'k8s.io.api.core.v1.Namespace'),
};

/** A kind without a proto message, like a custom resource. */
const widgets: ResourceDefinition = {
  ...configMaps,
  group: 'example.com',
  resource: 'widgets',
  kind: 'Widget',
  listKind: 'WidgetList',
  singular: 'widget',
  shortNames: undefined,
  ...onlyVersion('v1', 'example.com.v1.Widget'),
};

/** Stores that only carry their served views: enough for discovery-like documents. */
function viewsOf(defs: ResourceDefinition[]): ResourceStore[] {
  return defs.flatMap(servedViews).map((definition) => ({ definition }) as unknown as ResourceStore);
}

async function setup(): Promise<{ catalog: ApiCatalog; publisher: OpenApiPublisher }> {
  const catalog = createCatalog(viewsOf([...builtinDefinitions, widgets]));
  return { catalog, publisher: createOpenApiPublisher(catalog) };
}

function gvPath(def: { group: string; version: string }): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

function itemPath(def: ServedResource): string {
  const prefix = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  return def.namespaced ? `${prefix}/namespaces/{namespace}/${def.resource}/{name}` : `${prefix}/${def.resource}/{name}`;
}

function doc(publisher: OpenApiPublisher, path: string): Json {
  const d = publisher.document(path);
  assert.ok(d, `document ${path}`);
  return d as Json;
}

function schemaOf(d: Json, name: string): Json {
  const s = d.components.schemas[name];
  assert.ok(s, `component ${name}`);
  return s as Json;
}

/** Follows a property's `allOf: [{$ref}]` to the component name. */
function refName(prop: Json): string {
  assert.equal(prop.allOf?.length, 1, JSON.stringify(prop));
  const ref = prop.allOf[0].$ref as string;
  assert.ok(ref.startsWith('#/components/schemas/'), ref);
  return ref.slice('#/components/schemas/'.length);
}

function walk(value: unknown, visit: (obj: Json) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (value && typeof value === 'object') {
    visit(value as Json);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

describe('openapi v3 index', () => {
  it('lists every served group version with a hashed, resolvable URL', async () => {
    const { catalog, publisher } = await setup();
    const index = publisher.index() as { paths: Record<string, { serverRelativeURL: string }> };
    const expected = catalog.groupVersions().map(gvPath);
    assert.deepEqual(Object.keys(index.paths).sort(), [...expected].sort());
    assert.ok(expected.includes('api/v1') && expected.includes('apis/apps/v1') && expected.includes('apis/example.com/v1'));
    for (const [key, entry] of Object.entries(index.paths)) {
      const m = /^\/openapi\/v3\/(.+)\?hash=([0-9A-F]{128})$/.exec(entry.serverRelativeURL);
      assert.ok(m, entry.serverRelativeURL);
      assert.equal(m[1], key);
      assert.equal(publisher.document(key), publisher.document(key), 'documents are computed once');
      assert.ok(publisher.document(`${key}/`), 'trailing slash tolerated');
    }
    // The hash is a content hash: equal catalogs give equal hashes, different documents differ.
    const again = createOpenApiPublisher(catalog).index() as typeof index;
    assert.deepEqual(again, index);
    assert.notEqual(index.paths['api/v1']!.serverRelativeURL.split('hash=')[1], index.paths['apis/apps/v1']!.serverRelativeURL.split('hash=')[1]);
  });

  it('answers undefined for group versions that are not served', async () => {
    const { publisher } = await setup();
    assert.equal(publisher.document('apis/apps/v2'), undefined);
    assert.equal(publisher.document('apis/nothing.example/v1'), undefined);
    assert.equal(publisher.document('api/v2'), undefined);
    assert.equal(publisher.document(''), undefined);
  });
});

describe('openapi v3 group-version documents', () => {
  it('give every item path a patch operation with the exact GVK and inline write parameters', async () => {
    const { catalog, publisher } = await setup();
    let checked = 0;
    for (const gv of catalog.groupVersions()) {
      const d = doc(publisher, gvPath(gv));
      assert.equal(d.openapi, '3.0.0');
      for (const { definition: def } of gv.resources) {
        const item = d.paths[itemPath(def)];
        // A create-only kind (bindings) has a collection path only.
        if (def.disabledVerbs?.includes('get')) {
          assert.equal(item, undefined, def.resource);
          checked++;
          continue;
        }
        assert.ok(item, `item path of ${def.resource}`);
        // A read-only kind (componentstatuses) has get only.
        if (def.disabledVerbs?.includes('patch')) {
          assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters'), ['get']);
          checked++;
          continue;
        }
        const patch = item.patch as Json;
        assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: def.group, version: def.version, kind: def.kind });
        assert.equal(patch['x-kubernetes-action'], 'patch');
        const byName = new Map((patch.parameters as Json[]).map((p) => [p.name, p]));
        for (const name of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) {
          assert.equal(byName.get(name)?.in, 'query', `${def.resource} patch ${name}`);
        }
        const types = Object.keys(patch.requestBody.content).sort();
        if (def.definition === widgets) {
          assert.deepEqual(types, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
        } else {
          assert.deepEqual(types, [
            'application/apply-patch+yaml',
            'application/json-patch+json',
            'application/merge-patch+json',
            'application/strategic-merge-patch+json',
          ]);
        }
        for (const method of ['get', 'put', 'delete']) {
          assert.deepEqual(item[method]['x-kubernetes-group-version-kind'], { group: def.group, version: def.version, kind: def.kind });
        }
        const itemParams = (item.parameters as Json[]).map((p) => `${p.in}:${p.name}`);
        assert.ok(itemParams.includes('path:name'));
        assert.equal(itemParams.includes('path:namespace'), def.namespaced);
        checked++;
      }
    }
    assert.equal(checked, catalog.stores.length);
  });

  it('names operations and paths as upstream does', async () => {
    const { publisher } = await setup();
    const core = doc(publisher, 'api/v1');
    const apps = doc(publisher, 'apis/apps/v1');
    const cmItem = core.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    assert.equal(cmItem.get.operationId, 'readCoreV1NamespacedConfigMap');
    assert.equal(cmItem.put.operationId, 'replaceCoreV1NamespacedConfigMap');
    assert.equal(cmItem.delete.operationId, 'deleteCoreV1NamespacedConfigMap');
    const cmColl = core.paths['/api/v1/namespaces/{namespace}/configmaps'];
    assert.equal(cmColl.get.operationId, 'listCoreV1NamespacedConfigMap');
    assert.equal(cmColl.post.operationId, 'createCoreV1NamespacedConfigMap');
    assert.equal(cmColl.delete.operationId, 'deleteCoreV1CollectionNamespacedConfigMap');
    assert.equal(cmColl.delete['x-kubernetes-action'], 'deletecollection');
    assert.equal(cmColl.post['x-kubernetes-action'], 'post');
    assert.deepEqual(
      (cmColl.post.parameters as Json[]).map((p) => p.name),
      ['dryRun', 'fieldManager', 'fieldValidation'],
    );
    assert.equal(cmColl.post.requestBody.content['*/*'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.ConfigMap');
    assert.equal(cmItem.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.ConfigMap');
    assert.equal(cmColl.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.ConfigMapList');
    const all = core.paths['/api/v1/configmaps'];
    assert.deepEqual(Object.keys(all).sort(), ['get', 'parameters']);
    assert.equal(all.get.operationId, 'listCoreV1ConfigMapForAllNamespaces');
    assert.ok((all.get.parameters as Json[]).some((p) => p.name === 'watch'));

    // Cluster-scoped: no namespace segment, no "Namespaced" in ids, no all-namespaces path.
    assert.equal(core.paths['/api/v1/namespaces/{name}'].get.operationId, 'readCoreV1Namespace');
    assert.equal(core.paths['/api/v1/namespaces'].get.operationId, 'listCoreV1Namespace');

    // Status subresource of a group resource.
    assert.equal(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.operationId, 'patchAppsV1NamespacedDeployment');
    const status = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'];
    assert.deepEqual(Object.keys(status).sort(), ['get', 'parameters', 'patch', 'put']);
    assert.equal(status.get.operationId, 'readAppsV1NamespacedDeploymentStatus');
    assert.equal(status.patch.operationId, 'patchAppsV1NamespacedDeploymentStatus');
    assert.deepEqual(status.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok((status.patch.parameters as Json[]).some((p) => p.name === 'fieldValidation'));
    assert.equal(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].get.tags[0], 'apps_v1');
    // Documents hold only their own group version.
    assert.ok(Object.keys(apps.paths).every((p) => p.startsWith('/apis/apps/v1/')));
    assert.ok(Object.keys(core.paths).every((p) => p.startsWith('/api/v1/')));
  });

  it('omits operations of disabled verbs', () => {
    const publisher = createOpenApiPublisher(createCatalog(viewsOf([fakeNamespaces, fakePods])));
    const core = doc(publisher, 'api/v1');
    assert.deepEqual(Object.keys(core.paths['/api/v1/namespaces']).sort(), ['get', 'parameters', 'post']);
    assert.deepEqual(Object.keys(core.paths['/api/v1/namespaces/{name}']).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.equal(core.paths['/api/v1/namespaces/{name}/status'], undefined, 'no status subresource');
    assert.deepEqual(Object.keys(core.paths['/api/v1/namespaces/{namespace}/pods']).sort(), ['delete', 'get', 'parameters', 'post']);
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
  });

  it('carries GVK extensions and apiVersion/kind on kinds and lists', async () => {
    const { catalog, publisher } = await setup();
    for (const gv of catalog.groupVersions()) {
      const d = doc(publisher, gvPath(gv));
      for (const { definition: def } of gv.resources) {
        const custom = def.definition === widgets;
        const kindName = custom ? `com.example.v1.${def.kind}` : def.typeName.replace(/^k8s\.io\./, 'io.k8s.');
        const listName = custom ? `com.example.v1.${def.listKind}` : def.listTypeName.replace(/^k8s\.io\./, 'io.k8s.');
        const kind = schemaOf(d, kindName);
        // A create-only kind (bindings) has no list message.
        if (def.listTypeName === '') {
          assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: def.group, kind: def.kind, version: def.version }]);
          continue;
        }
        const list = schemaOf(d, listName);
        // A message serves every kind of the document that uses it (v2alpha1 CronJob and ScheduledJob).
        const sharing = gv.resources.filter((r) => r.definition.typeName === def.typeName).map((r) => r.definition);
        assert.deepEqual(kind['x-kubernetes-group-version-kind'], sharing.map((s) => ({ group: s.group, kind: s.kind, version: s.version })));
        assert.deepEqual(list['x-kubernetes-group-version-kind'], sharing.map((s) => ({ group: s.group, kind: s.listKind, version: s.version })));
        for (const s of [kind, list]) {
          assert.deepEqual(shape(s.properties.apiVersion), { type: 'string' });
          assert.deepEqual(shape(s.properties.kind), { type: 'string' });
          assert.equal(s.type, 'object');
        }
        assert.equal(refName(list.properties.items.items), kindName);
        assert.equal(refName(kind.properties.metadata), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
        if (custom) assert.equal(kind['x-kubernetes-preserve-unknown-fields'], true);
      }
    }
    const core = doc(publisher, 'api/v1');
    assert.deepEqual(schemaOf(core, 'io.k8s.apimachinery.pkg.apis.meta.v1.Status')['x-kubernetes-group-version-kind'], [
      { group: '', kind: 'Status', version: 'v1' },
    ]);
    // Messages that are not kinds carry no GVK.
    assert.equal(schemaOf(core, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')['x-kubernetes-group-version-kind'], undefined);
  });

  it('resolves every $ref inside the same document', async () => {
    const { catalog, publisher } = await setup();
    for (const gv of catalog.groupVersions()) {
      const d = doc(publisher, gvPath(gv));
      let refs = 0;
      walk(d, (obj) => {
        if (typeof obj.$ref === 'string') {
          refs++;
          const name = obj.$ref.replace('#/components/schemas/', '');
          assert.ok(d.components.schemas[name], `${gvPath(gv)}: dangling ${obj.$ref}`);
        }
      });
      assert.ok(refs > 0);
    }
  });

  it('maps proto fields with merge keys, list types, maps and inline members', async () => {
    const { publisher } = await setup();
    const core = doc(publisher, 'api/v1');
    const podSpec = schemaOf(core, refName(schemaOf(core, 'io.k8s.api.core.v1.Pod').properties.spec));
    const containers = podSpec.properties.containers as Json;
    assert.equal(containers.type, 'array');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    const container = schemaOf(core, refName(containers.items));
    assert.equal(refName(containers.items), 'io.k8s.api.core.v1.Container');
    assert.equal(container.properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(shape(container.properties.command), { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' });
    assert.equal(podSpec.properties.nodeSelector.type, 'object');
    assert.deepEqual(podSpec.properties.nodeSelector.additionalProperties, { type: 'string' });

    // Inline members are flattened: Volume has VolumeSource's fields, not a volumeSource key.
    const volume = schemaOf(core, 'io.k8s.api.core.v1.Volume');
    assert.equal(volume.properties.volumeSource, undefined);
    assert.equal(refName(volume.properties.configMap), 'io.k8s.api.core.v1.ConfigMapVolumeSource');
    const cmSource = schemaOf(core, 'io.k8s.api.core.v1.ConfigMapVolumeSource');
    assert.deepEqual(shape(cmSource.properties.name), { type: 'string' });
    assert.equal(cmSource.properties.localObjectReference, undefined);

    const configMap = schemaOf(core, 'io.k8s.api.core.v1.ConfigMap');
    assert.deepEqual(shape(configMap.properties.binaryData), { type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
    assert.deepEqual(shape(configMap.properties.immutable), { type: 'boolean' });
    assert.deepEqual(shape(podSpec.properties.activeDeadlineSeconds), { type: 'integer', format: 'int64' });
    assert.deepEqual(container.properties.ports.items.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort' }]);
    assert.deepEqual(shape(schemaOf(core, 'io.k8s.api.core.v1.ContainerPort').properties.containerPort), { type: 'integer', format: 'int32' });
  });

  it('maps special JSON types as upstream does', async () => {
    const { publisher } = await setup();
    const core = doc(publisher, 'api/v1');
    const apps = doc(publisher, 'apis/apps/v1');
    const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
    const objectMeta = schemaOf(core, `${meta}.ObjectMeta`);
    assert.equal(refName(objectMeta.properties.creationTimestamp), `${meta}.Time`);
    assert.deepEqual(shape(schemaOf(core, `${meta}.Time`)), { type: 'string', format: 'date-time' });
    assert.deepEqual(shape(objectMeta.properties.generation), { type: 'integer', format: 'int64' });
    assert.deepEqual(shape(objectMeta.properties.labels), { type: 'object', additionalProperties: { type: 'string' } });
    const managed = schemaOf(core, refName(objectMeta.properties.managedFields.items));
    assert.equal(refName(managed.properties.fieldsV1), `${meta}.FieldsV1`);
    assert.deepEqual(shape(schemaOf(core, `${meta}.FieldsV1`)), { type: 'object' });

    const quantityName = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
    const resources = schemaOf(core, 'io.k8s.api.core.v1.ResourceRequirements');
    assert.equal(resources.properties.limits.type, 'object');
    assert.equal(refName(resources.properties.limits.additionalProperties), quantityName);
    const quantity = schemaOf(core, quantityName);
    assert.equal(quantity['x-kubernetes-int-or-string'], true);
    assert.deepEqual(quantity.oneOf, [{ type: 'string' }, { type: 'number' }]);
    assert.equal(quantity.properties, undefined);

    const intOrStringName = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
    const rolling = schemaOf(apps, 'io.k8s.api.apps.v1.RollingUpdateDeployment');
    assert.equal(refName(rolling.properties.maxSurge), intOrStringName);
    const intOrString = schemaOf(apps, intOrStringName);
    assert.equal(intOrString['x-kubernetes-int-or-string'], true);
    assert.equal(intOrString.format, 'int-or-string');
    assert.equal(intOrString.properties, undefined);
    // Also reachable from core (container probes' ports).
    assert.ok(core.components.schemas[intOrStringName]);
    const spec = schemaOf(apps, 'io.k8s.api.apps.v1.DeploymentSpec');
    assert.equal(spec.properties.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.equal(refName(spec.properties.strategy), 'io.k8s.api.apps.v1.DeploymentStrategy');
  });
});
