/**
 * storage.k8s.io/v1 VolumeAttachment (with `/status`), CSIDriver, CSINode and
 * CSIStorageCapacity through kubectl 1.33: upstream's defaults, printer columns, validation
 * messages, immutable fields, the status subresource and CSIDriver's generation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function create(obj: Record<string, unknown>): Promise<void> {
  const res = await k(['create', '-f', '-'], JSON.stringify(obj));
  assert.equal(res.code, 0, res.stderr);
}

async function getJson(args: string[]): Promise<Record<string, any>> {
  const res = await k(['get', ...args, '-o', 'json']);
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Record<string, any>;
}

async function refused(args: string[], stdin: string | undefined, message: string): Promise<void> {
  const res = await k(args, stdin);
  assert.notEqual(res.code, 0, res.stdout);
  assert.ok(res.stderr.includes(message), res.stderr);
}

const attachment = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name }, spec });
const driver = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name }, spec });
const csiNode = (name: string, drivers: unknown[]) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name }, spec: { drivers } });
const capacity = (name: string, fields: Record<string, unknown>) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name, namespace: 'default' }, ...fields });

before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.stop();
});

describe('CSI storage kinds through kubectl 1.33', () => {
  it('discovery lists them as upstream: cluster-scoped but for CSIStorageCapacity, no short names', async () => {
    const res = await k(['api-resources', '--api-group=storage.k8s.io', '--no-headers']);
    assert.equal(res.code, 0, res.stderr);
    const rows = res.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const byName = Object.fromEntries(rows.map((r) => [r[0], r.slice(1)]));
    assert.deepEqual(byName.volumeattachments, ['storage.k8s.io/v1', 'false', 'VolumeAttachment']);
    assert.deepEqual(byName.csidrivers, ['storage.k8s.io/v1', 'false', 'CSIDriver']);
    assert.deepEqual(byName.csinodes, ['storage.k8s.io/v1', 'false', 'CSINode']);
    assert.deepEqual(byName.csistoragecapacities, ['storage.k8s.io/v1', 'true', 'CSIStorageCapacity']);
  });

  it('VolumeAttachment: status starts empty, /status reports attachment, the spec never changes', async () => {
    await create({ ...attachment('va-1', { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } }), status: { attached: true } });
    const got = await getJson(['volumeattachment', 'va-1']);
    assert.deepEqual(got.status, { attached: false });

    const table = await k(['get', 'volumeattachments']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+ATTACHER\s+PV\s+NODE\s+ATTACHED\s+AGE$/);
    assert.match(lines.find((l) => l.startsWith('va-1 '))!, /^va-1\s+disk\.csi\.example\.com\s+pv-1\s+node-1\s+false\s+\S+$/);

    const status = { status: { attached: true, attachmentMetadata: { devicePath: '/dev/sdb' } } };
    const patched = await k(['patch', 'volumeattachment', 'va-1', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    assert.equal(patched.code, 0, patched.stderr);
    const row = await k(['get', 'volumeattachment', 'va-1', '--no-headers']);
    assert.match(row.stdout, /^va-1\s+disk\.csi\.example\.com\s+pv-1\s+node-1\s+true\s+/);

    // A write of the main resource keeps the stored status.
    const relabelled = await k(['patch', 'volumeattachment', 'va-1', '--type=merge', '-p', JSON.stringify({ metadata: { labels: { a: 'b' } }, status: { attached: false } })]);
    assert.equal(relabelled.code, 0, relabelled.stderr);
    assert.equal((await getJson(['volumeattachment', 'va-1'])).status.attached, true);

    await refused(['patch', 'volumeattachment', 'va-1', '--type=merge', '-p', JSON.stringify({ spec: { nodeName: 'node-2' } })], undefined, 'field is immutable');
    const immutable = await k(['patch', 'volumeattachment', 'va-1', '--type=merge', '-p', JSON.stringify({ spec: { nodeName: 'node-2' } })]);
    assert.match(immutable.stderr, /The VolumeAttachment "va-1" is invalid: spec: Invalid value: .*: field is immutable/);

    // errorCode belongs to MutableCSINodeAllocatableCount (off in 1.33): a status write cannot add it.
    const coded = { status: { attachError: { message: 'timed out', errorCode: 4 } } };
    const withCode = await k(['patch', 'volumeattachment', 'va-1', '--subresource=status', '--type=merge', '-p', JSON.stringify(coded)]);
    assert.equal(withCode.code, 0, withCode.stderr);
    const attachError = (await getJson(['volumeattachment', 'va-1'])).status.attachError as Record<string, unknown>;
    assert.equal(attachError.message, 'timed out');
    assert.equal(attachError.errorCode, undefined);
    // Upstream checks the message against 1024 bytes and names the metadata limit in the error.
    const long = { status: { detachError: { message: 'x'.repeat(1025) } } };
    await refused(['patch', 'volumeattachment', 'va-1', '--subresource=status', '--type=merge', '-p', JSON.stringify(long)], undefined,
      'The VolumeAttachment "va-1" is invalid: status.detachError.message: Too long: may not be more than 262144 bytes');
  });

  it('VolumeAttachment: source, attacher and node rules in upstream words', async () => {
    await refused(['create', '-f', '-'], JSON.stringify(attachment('va-none', { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: {} })),
      'The VolumeAttachment "va-none" is invalid: spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName');
    const both = { persistentVolumeName: 'pv-1', inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], csi: { driver: 'disk.csi.example.com', volumeHandle: 'h' } } };
    await refused(['create', '-f', '-'], JSON.stringify(attachment('va-both', { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: both })),
      'The VolumeAttachment "va-both" is invalid: spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName');
    const inline = { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, nfs: { server: 'nfs.example.com', path: '/x' } } };
    const res = await k(['create', '-f', '-'], JSON.stringify(attachment('va-inline', { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: inline })));
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes'), res.stderr);
    assert.ok(res.stderr.includes('spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes'), res.stderr);
    await refused(['create', '-f', '-'], JSON.stringify(attachment('va-attacher', { attacher: 'Disk_CSI', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } })),
      'spec.attacher: Invalid value: "Disk_CSI": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
    await refused(['create', '-f', '-'], JSON.stringify(attachment('va-node', { attacher: 'disk.csi.example.com', source: { persistentVolumeName: 'pv-1' } })),
      'spec.nodeName: Invalid value: "": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
    const inlineOk = { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], csi: { driver: 'disk.csi.example.com', volumeHandle: 'vol-7' } } };
    await create(attachment('va-inline-ok', { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: inlineOk }));
    const row = await k(['get', 'volumeattachment', 'va-inline-ok', '--no-headers']);
    // No PersistentVolume name: the PV column is empty.
    assert.match(row.stdout, /^va-inline-ok\s+disk\.csi\.example\.com\s+node-1\s+false\s+/);
  });

  it('CSIDriver: upstream defaults, columns, immutable fields, generation on spec changes', async () => {
    await create(driver('disk.csi.example.com'));
    const got = await getJson(['csidriver', 'disk.csi.example.com']);
    assert.deepEqual(got.spec, {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      volumeLifecycleModes: ['Persistent'],
      requiresRepublish: false,
      seLinuxMount: false,
    });
    assert.equal(got.metadata.generation, undefined);

    const table = await k(['get', 'csidrivers']);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE$/);
    assert.match(lines.find((l) => l.startsWith('disk.csi.example.com '))!, /^disk\.csi\.example\.com\s+true\s+false\s+false\s+<unset>\s+false\s+Persistent\s+\S+$/);

    const patched = await k(['patch', 'csidriver', 'disk.csi.example.com', '--type=merge', '-p', JSON.stringify({ spec: { podInfoOnMount: true, tokenRequests: [{ audience: 'vault' }, { audience: 'gcp' }] } })]);
    assert.equal(patched.code, 0, patched.stderr);
    const after = await getJson(['csidriver', 'disk.csi.example.com']);
    assert.equal(after.metadata.generation, 1);
    const row = await k(['get', 'csidriver', 'disk.csi.example.com', '--no-headers']);
    assert.match(row.stdout, /^disk\.csi\.example\.com\s+true\s+true\s+false\s+vault,gcp\s+false\s+Persistent\s+/);
    const labelled = await k(['label', 'csidriver', 'disk.csi.example.com', 'tier=fast']);
    assert.equal(labelled.code, 0, labelled.stderr);
    assert.equal((await getJson(['csidriver', 'disk.csi.example.com'])).metadata.generation, 1);

    await refused(['patch', 'csidriver', 'disk.csi.example.com', '--type=merge', '-p', JSON.stringify({ spec: { attachRequired: false } })], undefined,
      'The CSIDriver "disk.csi.example.com" is invalid: spec.attachedRequired: Invalid value: false: field is immutable');
    await refused(['patch', 'csidriver', 'disk.csi.example.com', '--type=merge', '-p', JSON.stringify({ spec: { volumeLifecycleModes: ['Ephemeral'] } })], undefined,
      'spec.volumeLifecycleModes: Invalid value:');
  });

  it('CSIDriver: enums and token requests in upstream words; gated fields dropped', async () => {
    await refused(['create', '-f', '-'], JSON.stringify(driver('bad.csi.example.com', { fsGroupPolicy: 'Bogus' })),
      'The CSIDriver "bad.csi.example.com" is invalid: spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"');
    await refused(['create', '-f', '-'], JSON.stringify(driver('bad.csi.example.com', { volumeLifecycleModes: ['Forever'] })),
      'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"');
    const res = await k(['create', '-f', '-'], JSON.stringify(driver('bad.csi.example.com', { tokenRequests: [{ audience: 'a', expirationSeconds: 60 }, { audience: 'a' }] })));
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'), res.stderr);
    assert.ok(res.stderr.includes('spec.tokenRequests[1].audience: Duplicate value: "a"'), res.stderr);
    // MutableCSINodeAllocatableCount is alpha (off) in 1.33: its field does not survive a create.
    await create(driver('gated.csi.example.com', { nodeAllocatableUpdatePeriodSeconds: 60 }));
    assert.equal((await getJson(['csidriver', 'gated.csi.example.com'])).spec.nodeAllocatableUpdatePeriodSeconds, undefined);
  });

  it('CSINode: drivers counted, names unique and valid, node IDs required, entries fixed once registered', async () => {
    const zone = 'topology.kubernetes.io/zone';
    await create(csiNode('node-1', [{ name: 'disk.csi.example.com', nodeID: 'i-123', topologyKeys: [zone], allocatable: { count: 16 } }]));
    const table = await k(['get', 'csinodes']);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+DRIVERS\s+AGE$/);
    assert.match(lines.find((l) => l.startsWith('node-1 '))!, /^node-1\s+1\s+\S+$/);

    const added = await k(['patch', 'csinode', 'node-1', '--type=strategic', '-p', JSON.stringify({ spec: { drivers: [{ name: 'nfs.csi.example.com', nodeID: 'node-1' }] } })]);
    assert.equal(added.code, 0, added.stderr);
    assert.match((await k(['get', 'csinode', 'node-1', '--no-headers'])).stdout, /^node-1\s+2\s+/);
    const drivers = (await getJson(['csinode', 'node-1'])).spec.drivers as Array<{ name: string; topologyKeys: unknown }>;
    assert.deepEqual(drivers.map((d) => d.name).sort(), ['disk.csi.example.com', 'nfs.csi.example.com']);

    const changed = { spec: { drivers: [{ name: 'disk.csi.example.com', nodeID: 'i-456' }] } };
    await refused(['patch', 'csinode', 'node-1', '--type=strategic', '-p', JSON.stringify(changed)], undefined, 'spec.drivers: Invalid value:');

    await refused(['create', '-f', '-'], JSON.stringify(csiNode('node-2', [{ name: 'disk.csi.example.com' }])), 'The CSINode "node-2" is invalid: spec.drivers[0].nodeID: Required value');
    const res = await k(['create', '-f', '-'], JSON.stringify(csiNode('node-3', [{ name: 'Disk_CSI', nodeID: 'x', topologyKeys: ['a/b/c'] }])));
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('spec.drivers[0].name: Invalid value: "Disk_CSI": a lowercase RFC 1123 subdomain'), res.stderr);
    assert.ok(res.stderr.includes('spec.drivers[0]: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters'), res.stderr);
  });

  it('CSIStorageCapacity: namespaced, NAME STORAGECLASSNAME CAPACITY, class and topology fixed once set', async () => {
    const topology = { matchLabels: { 'topology.kubernetes.io/zone': 'zone-a' } };
    await create(capacity('cap-1', { storageClassName: 'fast', capacity: '100Gi', nodeTopology: topology }));
    await create(capacity('cap-2', { storageClassName: 'slow' }));
    const table = await k(['get', 'csistoragecapacities', '-n', 'default']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+STORAGECLASSNAME\s+CAPACITY$/);
    assert.match(lines.find((l) => l.startsWith('cap-1 '))!, /^cap-1\s+fast\s+100Gi$/);
    assert.match(lines.find((l) => l.startsWith('cap-2 '))!, /^cap-2\s+slow\s+<unset>$/);

    const grown = await k(['patch', 'csistoragecapacity', 'cap-1', '-n', 'default', '--type=merge', '-p', JSON.stringify({ capacity: '200Gi', maximumVolumeSize: '50Gi' })]);
    assert.equal(grown.code, 0, grown.stderr);
    await refused(['patch', 'csistoragecapacity', 'cap-1', '-n', 'default', '--type=merge', '-p', JSON.stringify({ storageClassName: 'slow' })], undefined,
      'The CSIStorageCapacity "cap-1" is invalid: storageClassName: Invalid value: "slow": field is immutable');
    await refused(['patch', 'csistoragecapacity', 'cap-1', '-n', 'default', '--type=merge', '-p', JSON.stringify({ nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': 'zone-b' } } })], undefined,
      'nodeTopology: Invalid value:');
    const badTopology = { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone a'] }] };
    await refused(['create', '-f', '-'], JSON.stringify(capacity('cap-topology', { storageClassName: 'fast', nodeTopology: badTopology })),
      'The CSIStorageCapacity "cap-topology" is invalid: nodeTopology.matchExpressions[0].values[0]: Invalid value: "zone a": a valid label must be an empty string or consist of alphanumeric characters');
    await refused(['create', '-f', '-'], JSON.stringify(capacity('cap-bad', { storageClassName: 'Fast_SSD' })),
      'The CSIStorageCapacity "cap-bad" is invalid: storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
  });
});

describe('storage.k8s.io/v1beta1 VolumeAttributesClass: off by default as upstream, served once --runtime-config turns it on', () => {
  let beta: TestServer;
  const kb = (args: string[], stdin?: string) => runKubectl(33, beta.server.kubeconfigPath, args, stdin);
  const vac = (name: string, fields: Record<string, unknown>) => ({ apiVersion: 'storage.k8s.io/v1beta1', kind: 'VolumeAttributesClass', metadata: { name }, ...fields });

  before(async () => {
    beta = await startTestServer({ runtimeConfig: 'storage.k8s.io/v1beta1=true' });
  });
  after(async () => {
    await beta.stop();
  });

  it('is not served without the flag', async () => {
    const res = await k(['get', 'volumeattributesclasses']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /the server doesn't have a resource type "volumeattributesclasses"/);
  });

  it('with the flag: vac, NAME DRIVERNAME AGE, driver and parameters required and fixed once set', async () => {
    const versions = await kb(['api-versions']);
    assert.ok(versions.stdout.split('\n').includes('storage.k8s.io/v1beta1'), versions.stdout);
    const created = await kb(['create', '-f', '-'], JSON.stringify(vac('gold', { driverName: 'ebs.csi.aws.com', parameters: { iops: '16000', throughput: '600' } })));
    assert.equal(created.code, 0, created.stderr);
    const table = await kb(['get', 'vac']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+DRIVERNAME\s+AGE$/);
    assert.match(lines[1]!, /^gold\s+ebs\.csi\.aws\.com\s+\S+$/);

    const labelled = await kb(['label', 'vac', 'gold', 'tier=gold']);
    assert.equal(labelled.code, 0, labelled.stderr);
    const changed = await kb(['patch', 'vac', 'gold', '--type=merge', '-p', JSON.stringify({ driverName: 'pd.csi.storage.gke.io', parameters: { iops: '9000' } })]);
    assert.notEqual(changed.code, 0);
    assert.ok(changed.stderr.includes('driverName: Forbidden: updates to driverName are forbidden.'), changed.stderr);
    assert.ok(changed.stderr.includes('parameters: Forbidden: updates to parameters are forbidden.'), changed.stderr);

    const none = await kb(['create', '-f', '-'], JSON.stringify(vac('bad', { driverName: 'ebs.csi.aws.com' })));
    assert.notEqual(none.code, 0);
    assert.ok(none.stderr.includes('The VolumeAttributesClass "bad" is invalid: parameters: Required value: must contain at least one key/value pair'), none.stderr);
    const noDriver = await kb(['create', '-f', '-'], JSON.stringify(vac('bad', { parameters: { iops: '1' } })));
    assert.notEqual(noDriver.code, 0);
    assert.ok(noDriver.stderr.includes('The VolumeAttributesClass "bad" is invalid: driverName: Required value'), noDriver.stderr);
  });
});
