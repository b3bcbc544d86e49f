/** Real kubectl 1.33 against strategic merge patch: client-side apply, patch and edit. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const KUBECTL = 33;

function deploymentYaml(containers: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  namespace: default',
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    '      app: web',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:',
    containers,
  ].join('\n');
}

const V1 = deploymentYaml(
  [
    '      - name: a',
    '        image: nginx:1',
    '        ports:',
    '        - containerPort: 80',
    '        - containerPort: 81',
    '      - name: b',
    '        image: busybox:1',
    '        ports:',
    '        - containerPort: 90',
  ].join('\n'),
);

const V2 = deploymentYaml(['      - name: a', '        image: nginx:2', '        ports:', '        - containerPort: 80'].join('\n'));

/** The parts of the containers the test controls (the server may add defaults). */
function containerSummary(deployment: any): unknown {
  return deployment.spec.template.spec.containers.map((c: any) => ({
    name: c.name,
    image: c.image,
    ports: (c.ports ?? []).map((p: any) => p.containerPort),
  }));
}

describe('kubectl 1.33 with strategic merge patch', () => {
  let ts: TestServer;
  let kubeconfig: string;
  let work: string;

  before(async () => {
    ts = await startTestServer();
    kubeconfig = ts.server.kubeconfigPath;
    work = mkdtempSync(join(tmpdir(), 'smp-kubectl-'));
  });
  after(async () => {
    await ts?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const getDeployment = async (): Promise<any> => {
    const r = await api(ts.server, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(r.status, 200);
    return r.body;
  };

  const apply = async (yaml: string): Promise<string> => {
    const file = join(work, 'web.yaml');
    writeFileSync(file, yaml);
    const r = await runKubectl(KUBECTL, kubeconfig, ['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  it('apply creates, patch keeps the other containers, apply again removes what the file dropped, and is idempotent', async () => {
    assert.equal(await apply(V1), 'deployment.apps/web created');
    assert.deepEqual(containerSummary(await getDeployment()), [
      { name: 'a', image: 'nginx:1', ports: [80, 81] },
      { name: 'b', image: 'busybox:1', ports: [90] },
    ]);

    const patched = await runKubectl(KUBECTL, kubeconfig, [
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:2"}]}}}}',
    ]);
    assert.equal(patched.code, 0, patched.stderr);
    assert.equal(patched.stdout.trim(), 'deployment.apps/web patched');
    assert.deepEqual(containerSummary(await getDeployment()), [
      { name: 'a', image: 'x:2', ports: [80, 81] },
      { name: 'b', image: 'busybox:1', ports: [90] },
    ]);

    assert.equal(await apply(V2), 'deployment.apps/web configured');
    const live = await getDeployment();
    assert.deepEqual(live.spec.template.spec.containers, [
      {
        name: 'a',
        image: 'nginx:2',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ]);
    assert.equal(live.spec.replicas, 2);
    assert.deepEqual(live.spec.template.metadata.labels, { app: 'web' });
    const lastApplied = JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.deepEqual(lastApplied.spec.template.spec.containers, [{ name: 'a', image: 'nginx:2', ports: [{ containerPort: 80 }] }]);

    const rv = live.metadata.resourceVersion;
    assert.equal(await apply(V2), 'deployment.apps/web unchanged');
    assert.equal((await getDeployment()).metadata.resourceVersion, rv);
  });

  it('reports patch errors the way upstream does', async () => {
    const r = await runKubectl(KUBECTL, kubeconfig, [
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"image":"x:3"}]}}}}',
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server: map: map[image:x:3] does not contain declared merge key: name');
  });

  it('edit sends a strategic merge patch for a ConfigMap', async () => {
    const created = await runKubectl(
      KUBECTL,
      kubeconfig,
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n  size: small\n',
    );
    assert.equal(created.code, 0, created.stderr);

    // A stand-in `vi` (kubectl's default editor) that edits the file in place.
    const bin = join(work, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(join(bin, 'vi'), '#!/bin/sh\nsed -i "s/color: blue/color: green/" "$1"\n');
    chmodSync(join(bin, 'vi'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? '/usr/bin:/bin'}`;
    try {
      const edited = await runKubectl(KUBECTL, kubeconfig, ['edit', 'configmap', 'settings']);
      assert.equal(edited.code, 0, edited.stderr);
      assert.equal(edited.stdout.trim(), 'configmap/settings edited');
    } finally {
      process.env.PATH = savedPath;
    }
    const cm = await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps/settings');
    assert.deepEqual(cm.body.data, { color: 'green', size: 'small' });
  });
});
