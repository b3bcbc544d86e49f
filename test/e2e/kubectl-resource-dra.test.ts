/**
 * resource.k8s.io (Dynamic Resource Allocation) through kubectl 1.33, against a server started
 * with the group's versions turned on as upstream 1.33 needs them (`--runtime-config`): discovery,
 * one stored object read and written in v1beta1 and v1beta2 (requests' `exactly`, devices'
 * `basic`), upstream's defaults, one validation message per kind, the claim's `/status` rules,
 * printer columns and ResourceSlice field selectors, the v1beta2 gRPC service over the same
 * objects. v1alpha3 DeviceTaintRule beside them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResourceClaimServiceClient } from '../../gen/wheelhouse/resource/v1beta2/services.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedResources } from '../../src/server/runtime-config.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';
import { grpcFailure, toJson, toMessage, unary } from '../parity/grpc-helpers.js';

const RUNTIME_CONFIG = 'resource.k8s.io/v1beta1=true,resource.k8s.io/v1beta2=true,resource.k8s.io/v1alpha3=true';
const G = 'resource.k8s.io';

let ts: TestServer;
const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(args: string[], stdin?: string): Promise<string> {
  const res = await k(args, stdin);
  assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

const create = (obj: Record<string, unknown>) => ok(['create', '-f', '-'], JSON.stringify(obj));
const getJson = async (args: string[]): Promise<Record<string, any>> => JSON.parse(await ok(['get', ...args, '-o', 'json'])) as Record<string, any>;

async function refused(args: string[], stdin: string | undefined, message: string): Promise<void> {
  const res = await k(args, stdin);
  assert.notEqual(res.code, 0, res.stdout);
  assert.ok(res.stderr.includes(message), `wanted ${JSON.stringify(message)} in:\n${res.stderr}`);
}

const obj = (version: string, kind: string, name: string, rest: Record<string, unknown>) => ({ apiVersion: `${G}/${version}`, kind, metadata: { name }, ...rest });

/** The table's rows as whitespace-split cells, header first. */
async function table(args: string[]): Promise<string[][]> {
  const out = await ok(['get', ...args]);
  return out.trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
}

describe('resource.k8s.io through kubectl 1.33', () => {
  before(async () => {
    ts = await startTestServer({ runtimeConfig: RUNTIME_CONFIG });
  });
  after(async () => {
    await ts?.stop();
  });

  it('is off by default, as upstream 1.33 (betas introduced since 1.24, and the alpha)', () => {
    assert.deepEqual(servedResources(builtinDefinitions, '').filter((d) => d.group === G), []);
    const on = servedResources(builtinDefinitions, RUNTIME_CONFIG).filter((d) => d.group === G);
    assert.deepEqual(on.map((d) => `${d.version}/${d.resource}`).sort(), [
      'v1alpha3/devicetaintrules',
      'v1beta1/deviceclasses',
      'v1beta1/resourceclaims',
      'v1beta1/resourceclaimtemplates',
      'v1beta1/resourceslices',
      'v1beta2/deviceclasses',
      'v1beta2/resourceclaims',
      'v1beta2/resourceclaimtemplates',
      'v1beta2/resourceslices',
    ]);
  });

  it('discovery: three versions, v1beta2 preferred, the five kinds with every verb', async () => {
    const versions = (await ok(['api-versions'])).split('\n');
    for (const v of ['v1alpha3', 'v1beta1', 'v1beta2']) assert.ok(versions.includes(`${G}/${v}`), v);
    const group = JSON.parse(await ok(['get', '--raw', '/apis/resource.k8s.io'])) as { preferredVersion: { version: string }; versions: { version: string }[] };
    assert.equal(group.preferredVersion.version, 'v1beta2');
    assert.deepEqual(group.versions.map((v) => v.version), ['v1beta2', 'v1beta1', 'v1alpha3']);
    const res = (await ok(['api-resources', `--api-group=${G}`, '-o', 'wide', '--no-headers'])).trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    const verbs = 'create,delete,deletecollection,get,list,patch,update,watch';
    assert.deepEqual(res, [
      ['deviceclasses', `${G}/v1beta2`, 'false', 'DeviceClass', verbs],
      ['devicetaintrules', `${G}/v1alpha3`, 'false', 'DeviceTaintRule', verbs],
      ['resourceclaims', `${G}/v1beta2`, 'true', 'ResourceClaim', verbs],
      ['resourceclaimtemplates', `${G}/v1beta2`, 'true', 'ResourceClaimTemplate', verbs],
      ['resourceslices', `${G}/v1beta2`, 'false', 'ResourceSlice', verbs],
    ]);
    const v1beta1 = JSON.parse(await ok(['get', '--raw', '/apis/resource.k8s.io/v1beta1'])) as { resources: { name: string }[] };
    assert.deepEqual(v1beta1.resources.map((r) => r.name).sort(), ['deviceclasses', 'resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates', 'resourceslices']);
  });

  it('a claim written in v1beta1 reads in v1beta2 under `exactly`, defaulted; one written in v1beta2 reads flat in v1beta1', async () => {
    await create(obj('v1beta1', 'ResourceClaim', 'one-gpu', { spec: { devices: { requests: [{ name: 'gpu', deviceClassName: 'gpu.example.com' }] } } }));
    const asV2 = await getJson([`resourceclaims.v1beta2.${G}`, 'one-gpu']);
    assert.equal(asV2.apiVersion, `${G}/v1beta2`);
    assert.deepEqual(asV2.spec.devices.requests, [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 } }]);

    await create(obj('v1beta2', 'ResourceClaim', 'all-nics', { spec: { devices: { requests: [{ name: 'nic', exactly: { deviceClassName: 'nic.example.com', allocationMode: 'All', tolerations: [{ key: 'example.com/flaky', effect: 'NoSchedule' }] } }] } } }));
    const asV1 = await getJson([`resourceclaims.v1beta1.${G}`, 'all-nics']);
    assert.equal(asV1.apiVersion, `${G}/v1beta1`);
    assert.deepEqual(asV1.spec.devices.requests, [{ name: 'nic', deviceClassName: 'nic.example.com', allocationMode: 'All', tolerations: [{ key: 'example.com/flaky', operator: 'Equal', effect: 'NoSchedule' }] }]);

    // Written in one version, the same stored object changes in the other.
    await ok(['label', `resourceclaims.v1beta1.${G}`, 'all-nics', 'team=net']);
    assert.equal((await getJson([`resourceclaims.v1beta2.${G}`, 'all-nics'])).metadata.labels.team, 'net');
    await ok(['delete', `resourceclaims.v1beta1.${G}`, 'all-nics']);
    await refused(['get', `resourceclaims.v1beta2.${G}`, 'all-nics'], undefined, 'resourceclaims.resource.k8s.io "all-nics" not found');
  });

  it('claims: upstream messages for requests, and the spec is immutable', async () => {
    const claim = (name: string, requests: unknown[], version = 'v1beta2') => JSON.stringify(obj(version, 'ResourceClaim', name, { spec: { devices: { requests } } }));
    await refused(['create', '-f', '-'], claim('bad', [{ name: 'gpu', exactly: {} }]), 'The ResourceClaim "bad" is invalid: spec.devices.requests[0].exactly.deviceClassName: Required value');
    await refused(['create', '-f', '-'], claim('bad', [{ name: 'gpu' }]), 'spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required');
    await refused(['create', '-f', '-'], claim('bad', [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com', allocationMode: 'Some' } }]), 'spec.devices.requests[0].exactly.allocationMode: Unsupported value: "Some": supported values: "All", "ExactCount"');
    await refused(['create', '-f', '-'], claim('bad', [{ name: 'Gpu', deviceClassName: 'gpu.example.com' }], 'v1beta1'), 'spec.devices.requests[0].name: Invalid value: "Gpu": a lowercase RFC 1123 label must consist of');
    await refused(['create', '-f', '-'], claim('bad', [{ name: 'gpu', deviceClassName: 'gpu.example.com', selectors: [{}] }], 'v1beta1'), 'spec.devices.requests[0].exactly.selectors[0].cel: Required value');
    const many = Array.from({ length: 33 }, (_, i) => ({ name: `r${i}`, exactly: { deviceClassName: 'gpu.example.com' } }));
    await refused(['create', '-f', '-'], claim('bad', many), 'The ResourceClaim "bad" is invalid: spec.devices.requests: Too many: 33: must have at most 32 items');
    await refused(
      ['patch', 'resourceclaim', 'one-gpu', '--type=merge', '-p', JSON.stringify({ spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'other.example.com' } }] } } })],
      undefined,
      'The ResourceClaim "one-gpu" is invalid: spec: Invalid value:',
    );
    await refused(['patch', 'resourceclaim', 'one-gpu', '--type=merge', '-p', JSON.stringify({ spec: { devices: { requests: [] } } })], undefined, 'field is immutable');
  });

  it('claim /status: NAME STATE AGE from pending to allocated,reserved; the allocation is fixed once set', async () => {
    const rows = await table(['resourceclaims', 'one-gpu']);
    assert.deepEqual(rows[0], ['NAME', 'STATE', 'AGE']);
    assert.deepEqual(rows[1]?.slice(0, 2), ['one-gpu', 'pending']);

    const reservedOnly = { status: { reservedFor: [{ resource: 'pods', name: 'trainer', uid: '8d3b7d4e-0c6e-4b8e-9a57-3c1f8ea1d001' }] } };
    await refused(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify(reservedOnly)], undefined, 'status.reservedFor: Forbidden: may not be specified when `allocated` is not set');

    const result = (device: string) => ({ request: 'gpu', driver: 'gpu.example.com', pool: 'node-1', device });
    const allocation = (device: string) => ({ devices: { results: [result(device)] }, nodeSelector: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] } });
    const badRef = { status: { allocation: { devices: { results: [{ ...result('gpu-0'), request: 'cpu' }] } } } };
    await refused(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify(badRef)], undefined, `status.allocation.devices.results[0].request: Invalid value: "cpu": must be the name of a request in the claim or the name of a request and a subrequest separated by '/'`);

    await ok(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { allocation: allocation('gpu-0'), ...reservedOnly.status } })]);
    const rows2 = await table(['resourceclaims', 'one-gpu']);
    assert.deepEqual(rows2[1]?.slice(0, 2), ['one-gpu', 'allocated,reserved']);
    // Read in v1beta1, the allocation is the same.
    assert.equal((await getJson([`resourceclaims.v1beta1.${G}`, 'one-gpu'])).status.allocation.devices.results[0].device, 'gpu-0');

    await refused(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { allocation: allocation('gpu-1') } })], undefined, 'status.allocation: Invalid value:');
    const deviceStatus = (device: string) => ({ status: { devices: [{ driver: 'gpu.example.com', pool: 'node-1', device, conditions: [] }] } });
    await refused(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify(deviceStatus('gpu-9'))], undefined, 'status.devices[0]: Invalid value: "gpu.example.com/node-1/gpu-9": must be an allocated device in the claim');
    await ok(['patch', 'resourceclaim', 'one-gpu', '--subresource=status', '--type=merge', '-p', JSON.stringify(deviceStatus('gpu-0'))]);
    // A spec write leaves the status alone; a status write leaves the spec alone.
    await ok(['label', 'resourceclaim', 'one-gpu', 'stage=bound']);
    assert.equal((await getJson(['resourceclaim', 'one-gpu'])).status.reservedFor[0].name, 'trainer');
  });

  it('slices: v1beta2 flat devices are v1beta1 `basic`; NODE DRIVER POOL AGE; spec.nodeName and spec.driver field selectors', async () => {
    await create(obj('v1beta2', 'ResourceSlice', 'node-1-gpus', {
      spec: { driver: 'gpu.example.com', nodeName: 'node-1', pool: { name: 'node-1', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0', attributes: { model: { string: 'a100' } }, capacity: { memory: { value: '40Gi' } } }] },
    }));
    await create(obj('v1beta1', 'ResourceSlice', 'shared-nics', {
      spec: { driver: 'nic.example.com', allNodes: true, pool: { name: 'shared', generation: 2, resourceSliceCount: 1 }, devices: [{ name: 'nic-0', basic: { attributes: { speed: { int: 100 } } } }] },
    }));
    const v1 = await getJson([`resourceslices.v1beta1.${G}`, 'node-1-gpus']);
    assert.deepEqual(v1.spec.devices, [{ name: 'gpu-0', basic: { attributes: { model: { string: 'a100' } }, capacity: { memory: { value: '40Gi' } } } }]);
    assert.equal(v1.metadata.generation, 1);
    const v2 = await getJson([`resourceslices.v1beta2.${G}`, 'shared-nics']);
    assert.deepEqual(v2.spec.devices, [{ name: 'nic-0', attributes: { speed: { int: 100 } } }]);
    assert.equal(v2.spec.allNodes, true);

    const rows = await table(['resourceslices', '--sort-by=.metadata.name']);
    assert.deepEqual(rows[0], ['NAME', 'NODE', 'DRIVER', 'POOL', 'AGE']);
    assert.deepEqual(rows[1]?.slice(0, 4), ['node-1-gpus', 'node-1', 'gpu.example.com', 'node-1']);
    assert.deepEqual(rows[2]?.slice(0, 3), ['shared-nics', 'nic.example.com', 'shared']);

    const byNode = await getJson(['resourceslices', '--field-selector', 'spec.nodeName=node-1']);
    assert.deepEqual(byNode.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['node-1-gpus']);
    const byDriver = await getJson(['resourceslices', '--field-selector', 'spec.driver=nic.example.com']);
    assert.deepEqual(byDriver.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['shared-nics']);

    const slice = (spec: Record<string, unknown>) => JSON.stringify(obj('v1beta2', 'ResourceSlice', 'bad', { spec: { driver: 'gpu.example.com', pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, ...spec } }));
    await refused(['create', '-f', '-'], slice({}), 'The ResourceSlice "bad" is invalid: spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required');
    await refused(['create', '-f', '-'], slice({ nodeName: 'node-1', allNodes: true }), 'spec: Invalid value: "{`nodeName`, `allNodes`}": exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set');
    await refused(['create', '-f', '-'], slice({ allNodes: true, devices: [{ name: 'd' }, { name: 'd' }] }), 'spec.devices[1]: Duplicate value: "d"');
    await refused(['create', '-f', '-'], slice({ allNodes: true, devices: [{ name: 'd', attributes: { speed: { int: 1, string: 'fast' } } }] }), 'spec.devices[0].attributes[speed]: Invalid value:');
    await refused(['create', '-f', '-'], slice({ allNodes: true, devices: [{ name: 'd', attributes: { 'bad-name': { int: 1 } } }] }), 'spec.devices[0].attributes: Invalid value: "bad-name": a valid C identifier must start with alphabetic character');
    await refused(['patch', 'resourceslice', 'node-1-gpus', '--type=merge', '-p', JSON.stringify({ spec: { driver: 'other.example.com' } })], undefined, 'spec.driver: Invalid value: "other.example.com": field is immutable');
  });

  it('classes and templates: generation, upstream messages, a template spec fixed once created', async () => {
    await create(obj('v1beta1', 'DeviceClass', 'gpu.example.com', { spec: { selectors: [{ cel: { expression: 'device.driver == "gpu.example.com"' } }] } }));
    await ok(['patch', `deviceclasses.v1beta2.${G}`, 'gpu.example.com', '--type=merge', '-p', JSON.stringify({ spec: { config: [{ opaque: { driver: 'gpu.example.com', parameters: { mode: 'shared' } } }] } })]);
    const cls = await getJson([`deviceclasses.v1beta1.${G}`, 'gpu.example.com']);
    assert.equal(cls.metadata.generation, 2);
    assert.deepEqual(cls.spec.config, [{ opaque: { driver: 'gpu.example.com', parameters: { mode: 'shared' } } }]);
    const rows = await table(['deviceclasses']);
    assert.deepEqual(rows[0], ['NAME', 'AGE']);
    await refused(['create', '-f', '-'], JSON.stringify(obj('v1beta2', 'DeviceClass', 'bad', { spec: { config: [{ opaque: { driver: 'Not_A_Driver', parameters: {} } }] } })), 'The DeviceClass "bad" is invalid: spec.config[0].opaque.driver: Invalid value: "Not_A_Driver": a lowercase RFC 1123 subdomain');

    const template = (requests: unknown[]) => ({ spec: { spec: { devices: { requests } } } });
    await create(obj('v1beta2', 'ResourceClaimTemplate', 'gpu-template', template([{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com' } }])));
    const t1 = await getJson([`resourceclaimtemplates.v1beta1.${G}`, 'gpu-template']);
    assert.deepEqual(t1.spec.spec.devices.requests, [{ name: 'gpu', deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 }]);
    assert.deepEqual((await table(['resourceclaimtemplates']))[0], ['NAME', 'AGE']);
    await refused(['patch', 'resourceclaimtemplate', 'gpu-template', '--type=merge', '-p', JSON.stringify(template([{ name: 'gpus', exactly: { deviceClassName: 'gpu.example.com' } }]))], undefined, 'The ResourceClaimTemplate "gpu-template" is invalid: spec: Invalid value:');
    await refused(['create', '-f', '-'], JSON.stringify(obj('v1beta2', 'ResourceClaimTemplate', 'bad', template([{ name: 'gpu', firstAvailable: [{ name: 'a', deviceClassName: 'gpu.example.com' }, { name: 'a', deviceClassName: 'gpu.example.com' }] }]))), 'spec.spec.devices.requests[0].firstAvailable[1]: Duplicate value: "a"');
  });

  it('gRPC: wheelhouse.resource.v1beta2.ResourceClaimService reads the claim kubectl wrote in v1beta1, and refuses as HTTP does', async () => {
    const client = new ResourceClaimServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const got = await unary<object>((cb) => client.get({ namespace: 'default', name: 'one-gpu' }, cb));
      const claim = toJson('k8s.io.api.resource.v1beta2.ResourceClaim', got) as { spec: { devices: { requests: unknown[] } } };
      assert.deepEqual(claim.spec.devices.requests, [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 } }]);
      const object = toMessage('k8s.io.api.resource.v1beta2.ResourceClaim', { metadata: { name: 'grpc-bad' }, spec: { devices: { requests: [{ name: 'gpu', exactly: {} }] } } });
      const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: 'default', object }, cb)));
      assert.equal(failure.status.reason, 'Invalid');
      assert.equal(failure.status.message, 'ResourceClaim.resource.k8s.io "grpc-bad" is invalid: spec.devices.requests[0].exactly.deviceClassName: Required value');
    } finally {
      client.close();
    }
  });

  it('v1alpha3 DeviceTaintRule: the taint records when it was added; effect and key as upstream', async () => {
    await create(obj('v1alpha3', 'DeviceTaintRule', 'maintenance', { spec: { deviceSelector: { driver: 'gpu.example.com' }, taint: { key: 'example.com/maintenance', effect: 'NoSchedule' } } }));
    const rule = await getJson(['devicetaintrules', 'maintenance']);
    assert.match(rule.spec.taint.timeAdded, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(rule.metadata.generation, 1);
    const bad = (taint: Record<string, unknown>) => JSON.stringify(obj('v1alpha3', 'DeviceTaintRule', 'bad', { spec: { taint } }));
    await refused(['create', '-f', '-'], bad({ key: 'example.com/maintenance' }), 'The DeviceTaintRule "bad" is invalid: spec.taint.effect: Required value');
    await refused(['create', '-f', '-'], bad({ key: 'bad key', effect: 'NoExecute' }), 'spec.taint.key: Invalid value: "bad key": name part must consist of alphanumeric characters');
  });
});
