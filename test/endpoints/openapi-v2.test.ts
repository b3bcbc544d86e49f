/**
 * /openapi/v2: the Swagger 2.0 document converted from the v3 components, in JSON and
 * in gnostic's protobuf form, with upstream's negotiation, ETag and 304; rebuilt when a
 * kind is installed at run time. Also the x-kubernetes-* list/map extensions in v3.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { Document } from '../../gen/gnostic/openapiv2/OpenAPIv2.js';
import type { StructuralSchema } from '../../src/machinery/runtime/kind-schema.js';
import { openApiResource } from '../helpers/openapi-resource.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/** A schema without its description (descriptions are checked in openapi-descriptions.test.ts). */
function shape(schema: Json): Json {
  const { description: _description, ...rest } = schema;
  return rest;
}

const PB_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const DEFS = '#/definitions/';

async function raw(ts: TestServer, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${ts.server.url}/openapi/v2`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Every `$ref` in a JSON value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

const GADGET_SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name', 'protocol'],
          items: { type: 'object', properties: { name: { type: 'string' }, protocol: { type: 'string' } }, required: ['name', 'protocol'] },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        ref: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { name: { type: 'string' } } },
        note: { type: 'string', nullable: true },
      },
    },
  },
};
const { definition: gadgets, schema: gadgetSchema } = openApiResource('Gadget', 'gadgets', GADGET_SCHEMA);

describe('a kind described by an OpenAPI schema (the CRD case)', () => {
  it('keeps the x-kubernetes list and map extensions for the field manager', () => {
    const spec = gadgetSchema.openapi!.properties!.spec!.properties!;
    assert.equal(spec.ports!['x-kubernetes-list-type'], 'map');
    assert.deepEqual(spec.ports!['x-kubernetes-list-map-keys'], ['name', 'protocol']);
    assert.equal(spec.tags!['x-kubernetes-list-type'], 'set');
    assert.equal(spec.selector!['x-kubernetes-map-type'], 'atomic');
    assert.equal(spec.ref!['x-kubernetes-map-type'], 'atomic');
    const { object, unknownFields } = gadgetSchema.normalize({ spec: { ports: [{ name: 'http', protocol: 'TCP' }], tags: ['a'], selector: { a: 'b' } } });
    assert.deepEqual(object, { spec: { ports: [{ name: 'http', protocol: 'TCP' }], tags: ['a'], selector: { a: 'b' } } });
    assert.deepEqual(unknownFields, []);
  });
});

describe('/openapi/v2', () => {
  let ts: TestServer;
  let doc: Json;
  let json: Buffer;
  before(async () => {
    ts = await startTestServer();
    const res = await raw(ts, { accept: 'application/json' });
    assert.equal(res.status, 200);
    json = res.body;
    doc = JSON.parse(json.toString('utf8')) as Json;
  });
  after(async () => ts.stop());

  it('is a Swagger 2.0 document with upstream security definitions', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'unversioned' });
    assert.deepEqual(doc.security, [{ BearerToken: [] }]);
    assert.deepEqual(doc.securityDefinitions, {
      BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
    });
  });

  it('refers only to its own definitions, and every reference resolves', () => {
    const all = refs(doc);
    assert.ok(all.length > 500);
    assert.deepEqual(all.filter((r) => !r.startsWith(DEFS)), []);
    assert.deepEqual([...new Set(all.filter((r) => !(r.slice(DEFS.length) in doc.definitions)))], []);
    assert.equal(json.includes('#/components/'), false);
    assert.equal(json.includes('"allOf"'), false);
  });

  it('carries the kinds with x-kubernetes-group-version-kind, DeleteOptions for every group version', () => {
    assert.deepEqual(doc.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const deleteOptions = doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind'] as Json[];
    for (const gv of [{ group: '', version: 'v1' }, { group: 'apps', version: 'v1' }, { group: 'batch', version: 'v1' }, { group: 'autoscaling', version: 'v2' }]) {
      assert.ok(deleteOptions.some((g) => g.group === gv.group && g.version === gv.version && g.kind === 'DeleteOptions'), JSON.stringify(gv));
    }
    assert.equal(doc.definitions['io.k8s.api.core.v1.Pod'].properties.spec.$ref, `${DEFS}io.k8s.api.core.v1.PodSpec`);
  });

  it('publishes list and map semantics where upstream does', () => {
    const podSpec = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties;
    assert.deepEqual(podSpec.containers, {
      description: "The pod's app containers; at least one. They cannot be added or removed once the pod exists.",
      items: { $ref: `${DEFS}io.k8s.api.core.v1.Container` },
      type: 'array',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(podSpec.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    assert.deepEqual(shape(podSpec.nodeSelector), { additionalProperties: { type: 'string' }, type: 'object', 'x-kubernetes-map-type': 'atomic' });
    assert.deepEqual(shape(podSpec.tolerations), { items: { $ref: `${DEFS}io.k8s.api.core.v1.Toleration` }, type: 'array', 'x-kubernetes-list-type': 'atomic' });
    const ports = doc.definitions['io.k8s.api.core.v1.Container'].properties.ports;
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(doc.definitions['io.k8s.api.core.v1.LocalObjectReference']['x-kubernetes-map-type'], 'atomic');
    assert.equal(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
    assert.deepEqual(shape(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.finalizers), {
      items: { type: 'string' },
      type: 'array',
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.equal(doc.definitions['io.k8s.api.core.v1.PodSpec']['x-kubernetes-map-type'], undefined);
  });

  it('has paths with x-kubernetes-action, consumes/produces and v2 parameters', () => {
    const item = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    assert.deepEqual(item.parameters, [
      { description: 'name of the ConfigMap', in: 'path', name: 'name', required: true, type: 'string', uniqueItems: true },
      { description: 'object name and auth scope, such as for teams and projects', in: 'path', name: 'namespace', required: true, type: 'string', uniqueItems: true },
      { description: "If 'true', then the output is pretty printed.", in: 'query', name: 'pretty', type: 'string', uniqueItems: true },
    ]);
    const patch = item.patch;
    assert.equal(patch.operationId, 'patchCoreV1NamespacedConfigMap');
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
    assert.deepEqual(patch.consumes, [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    assert.deepEqual(patch.produces, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    assert.deepEqual(patch.schemes, ['https']);
    assert.deepEqual(patch.parameters[0], { in: 'body', name: 'body', required: true, schema: { $ref: `${DEFS}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` } });
    assert.deepEqual(
      patch.parameters.map((p: Json) => p.name),
      ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force'],
    );
    assert.deepEqual(patch.responses['200'], { description: 'OK', schema: { $ref: `${DEFS}io.k8s.api.core.v1.ConfigMap` } });
    assert.deepEqual(patch.responses['401'], { description: 'Unauthorized' });
    const list = doc.paths['/api/v1/namespaces/{namespace}/configmaps'].get;
    assert.equal(list['x-kubernetes-action'], 'list');
    assert.ok(list.produces.includes('application/json;stream=watch'));
  });

  it('serves gnostic protobuf for the name client-go asks for, with the same content', async () => {
    const res = await raw(ts, { accept: PB_DEPRECATED });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), PB);
    const pb = Document.decode(res.body);
    assert.equal(pb.swagger, '2.0');
    assert.equal(pb.definitions!.additionalProperties.length, Object.keys(doc.definitions).length);
    assert.equal(pb.paths!.path.length, Object.keys(doc.paths).length);
    const pod = pb.definitions!.additionalProperties.find((d) => d.name === 'io.k8s.api.core.v1.Pod')!.value!;
    const gvk = pod.vendorExtension.find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(parseYaml(gvk.value!.yaml), [{ group: '', kind: 'Pod', version: 'v1' }]);
    assert.deepEqual(pod.type!.value, ['object']);
    const spec = pod.properties!.additionalProperties.find((p) => p.name === 'spec')!.value!;
    assert.equal(spec.Ref, `${DEFS}io.k8s.api.core.v1.PodSpec`);
    const containers = pb.definitions!.additionalProperties
      .find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')!
      .value!.properties!.additionalProperties.find((p) => p.name === 'containers')!.value!;
    assert.equal(containers.items!.schema[0]!.Ref, `${DEFS}io.k8s.api.core.v1.Container`);
    assert.deepEqual(
      Object.fromEntries(containers.vendorExtension.map((e) => [e.name, parseYaml(e.value!.yaml)])),
      { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
    );
    // kubectl's fieldValidation check: the PATCH of the kind's path has the query parameter.
    const item = pb.paths!.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!.value!;
    const action = item.patch!.vendorExtension.find((e) => e.name === 'x-kubernetes-action')!;
    assert.equal(parseYaml(action.value!.yaml), 'patch');
    const query = item.patch!.parameters.map((p) => p.parameter?.nonBodyParameter?.queryParameterSubSchema?.name).filter(Boolean);
    assert.deepEqual(query, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.equal(item.patch!.parameters[0]!.parameter!.bodyParameter!.schema!.Ref, `${DEFS}io.k8s.apimachinery.pkg.apis.meta.v1.Patch`);
    assert.equal(item.parameters[0]!.parameter!.nonBodyParameter!.pathParameterSubSchema!.name, 'name');
    const ok = item.patch!.responses!.responseCode.find((r) => r.name === '200')!.value!.response!;
    assert.equal(ok.schema!.schema!.Ref, `${DEFS}io.k8s.api.apps.v1.Deployment`);
    assert.equal((await raw(ts, { accept: PB })).headers.get('content-type'), PB);
  });

  it('negotiates as upstream: JSON for */* or no Accept, 406 for what it cannot serve', async () => {
    assert.equal((await raw(ts, {})).headers.get('content-type'), 'application/json');
    assert.equal((await raw(ts, { accept: '*/*' })).headers.get('content-type'), 'application/json');
    assert.equal((await raw(ts, { accept: `application/json;q=0.5, ${PB}` })).headers.get('content-type'), PB);
    const refused = await raw(ts, { accept: 'text/html' });
    assert.equal(refused.status, 406);
    assert.equal(refused.body.length, 0);
    assert.equal(refused.headers.get('vary'), 'Accept');
  });

  it('answers with a quoted SHA-512 ETag, and 304 when the client has it', async () => {
    const first = await raw(ts, { accept: 'application/json' });
    const etag = first.headers.get('etag')!;
    assert.equal(first.headers.get('content-encoding'), 'gzip', 'fetch asks for gzip, as client-go does');
    assert.equal(etag, `"${createHash('sha512').update(first.body).digest('hex').toUpperCase()}"`);
    assert.equal((await raw(ts, { accept: PB_DEPRECATED })).headers.get('etag'), etag);
    const again = await raw(ts, { accept: PB_DEPRECATED, 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await raw(ts, { accept: 'application/json', 'if-none-match': '"stale"' })).status, 200);
    const lastModified = first.headers.get('last-modified')!;
    assert.equal((await raw(ts, { accept: 'application/json', 'if-modified-since': lastModified })).status, 304);
  });

  it('is rebuilt when a kind is installed at run time, carrying its schema extensions', async () => {
    const before = await raw(ts, { accept: 'application/json' });
    const uninstall = ts.server.installResource(gadgets);
    try {
      const res = await raw(ts, { accept: 'application/json' });
      assert.notEqual(res.headers.get('etag'), before.headers.get('etag'));
      assert.equal((await raw(ts, { accept: 'application/json', 'if-none-match': before.headers.get('etag')! })).status, 200);
      const d = JSON.parse(res.body.toString('utf8')) as Json;
      const gadget = d.definitions['com.example.v1.Gadget'];
      assert.deepEqual(gadget['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Gadget', version: 'v1' }]);
      const spec = gadget.properties.spec.properties;
      assert.deepEqual(spec.ports['x-kubernetes-list-map-keys'], ['name', 'protocol']);
      assert.equal(spec.ports['x-kubernetes-list-type'], 'map');
      assert.equal(spec.tags['x-kubernetes-list-type'], 'set');
      assert.equal(spec.selector['x-kubernetes-map-type'], 'atomic');
      assert.equal(spec.ref['x-kubernetes-map-type'], 'atomic');
      assert.deepEqual(spec.note, { type: 'string' }, 'nullable has no place in v2');
      assert.equal(d.paths['/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}'].patch['x-kubernetes-action'], 'patch');
      const v3 = await api(ts.server, 'GET', '/openapi/v3/apis/example.com/v1');
      assert.equal(v3.body.components.schemas['com.example.v1.Gadget'].properties.spec.properties.ports['x-kubernetes-list-type'], 'map');
    } finally {
      uninstall();
    }
    const gone = JSON.parse((await raw(ts, { accept: 'application/json' })).body.toString('utf8')) as Json;
    assert.equal(gone.definitions['com.example.v1.Gadget'], undefined);
  });
});

describe('/openapi/v3 list and map extensions', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('puts field markers on properties and a type\'s +structType on its component', async () => {
    const core = (await api(ts.server, 'GET', '/openapi/v3/api/v1')).body.components.schemas as Json;
    assert.equal(core['io.k8s.api.core.v1.PodSpec'].properties.nodeSelector['x-kubernetes-map-type'], 'atomic');
    assert.equal(core['io.k8s.api.core.v1.ServiceSpec'].properties.selector['x-kubernetes-map-type'], 'atomic');
    assert.equal(core['io.k8s.api.core.v1.ObjectReference']['x-kubernetes-map-type'], 'atomic');
    assert.equal(core['io.k8s.api.core.v1.ObjectReference'].properties.name['x-kubernetes-map-type'], undefined);
    assert.deepEqual(core['io.k8s.api.core.v1.NodeStatus'].properties.addresses['x-kubernetes-list-map-keys'], ['type']);
    assert.equal(core['io.k8s.api.core.v1.ServiceAccount'].properties.secrets['x-kubernetes-list-type'], 'map');
    assert.equal(core['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.managedFields['x-kubernetes-list-type'], 'atomic');
    assert.deepEqual(core['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.ownerReferences['x-kubernetes-list-map-keys'], ['uid']);
    assert.equal(core['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement'].properties.key['x-kubernetes-patch-strategy'], undefined);
  });
});
