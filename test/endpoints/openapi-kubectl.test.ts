/** Real kubectl against the served OpenAPI v3 documents: explain and default (strict) validation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const KUBECTL = 33;

describe('kubectl 1.33 with OpenAPI v3', () => {
  let ts: TestServer;
  let kubeconfig: string;

  before(async () => {
    ts = await startTestServer();
    kubeconfig = ts.server.kubeconfigPath;
  });
  after(async () => {
    await ts?.stop();
  });

  it('serves the index and the hashed documents over HTTP', async () => {
    const index = await api(ts.server, 'GET', '/openapi/v3?timeout=32s');
    assert.equal(index.status, 200);
    const url = index.body.paths['api/v1'].serverRelativeURL as string;
    assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    const doc = await api(ts.server, 'GET', `${url}&timeout=32s`);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.0.0');
    assert.ok(doc.body.components.schemas['io.k8s.api.core.v1.Pod']);
    assert.equal((await api(ts.server, 'GET', '/openapi/v3/apis/nothing.example/v1')).status, 404);
  });

  it('explain pods.spec.containers walks the schema', async () => {
    const r = await runKubectl(KUBECTL, kubeconfig, ['explain', 'pods.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /VERSION:\s+v1/);
    assert.match(r.stdout, /FIELD:\s+containers <\[\]Container>/);
    assert.match(r.stdout, /\n {2}image\t<string>/);
    assert.match(r.stdout, /\n {2}ports\t<\[\]ContainerPort>/);
  });

  it('explain deployment.spec.strategy.rollingUpdate.maxSurge shows int-or-string', async () => {
    const r = await runKubectl(KUBECTL, kubeconfig, ['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /FIELD:\s+maxSurge <IntOrString>/);
  });

  it('create -f with default validation succeeds for core and apps kinds', async () => {
    const manifest = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: openapi-cm',
      'data:',
      '  color: blue',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: openapi-deploy',
      'spec:',
      '  replicas: 1',
      '  selector:',
      '    matchLabels: {app: web}',
      '  template:',
      '    metadata:',
      '      labels: {app: web}',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx',
      '',
    ].join('\n');
    const r = await runKubectl(KUBECTL, kubeconfig, ['create', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/openapi-cm created/);
    assert.match(r.stdout, /deployment.apps\/openapi-deploy created/);
    assert.doesNotMatch(r.stderr, /validat/i);
    const cm = await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps/openapi-cm');
    assert.equal(cm.status, 200);
    assert.deepEqual(cm.body.data, { color: 'blue' });
  });

  // kubectl >= 1.29 checks fieldValidation support through OpenAPI v3; 1.27/1.28 need /openapi/v2 (protobuf).
  for (const minor of [29, 30, 31, 32, 33]) {
    it(`kubectl 1.${minor} create -f leaves validation to the server (fieldValidation=Strict)`, async () => {
      const ok = await runKubectl(minor, kubeconfig, ['create', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v${minor}\ndata: {a: b}\n`);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), `configmap/v${minor} created`);
      // An unknown field reaches the server (no client-side schema check) and is rejected there.
      const bad = await runKubectl(minor, kubeconfig, ['create', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad${minor}\nbogus: 1\n`);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /Error from server \(BadRequest\).*strict decoding error: unknown field "bogus"/);
      const explain = await runKubectl(minor, kubeconfig, ['explain', 'configmaps.data']);
      assert.equal(explain.code, 0, explain.stderr);
      assert.match(explain.stdout, /FIELD:\s+data <map\[string\]string>/);
    });
  }

  // kubectl builds the strategic merge patch from our v3 merge keys; the server side of strategic
  // merge patch (src/endpoints/patch/strategic-merge-patch.ts) is still a merge-patch placeholder.
  it('apply -f merges container lists by name using the v3 patch metadata', async () => {
    const deployment = (image: string, extraPort: boolean): string =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: openapi-apply',
        'spec:',
        '  selector:',
        '    matchLabels: {app: openapi}',
        '  template:',
        '    metadata:',
        '      labels: {app: openapi}',
        '    spec:',
        '      containers:',
        '      - name: a',
        `        image: ${image}`,
        '        ports:',
        '        - containerPort: 80',
        ...(extraPort ? ['        - containerPort: 81'] : []),
        '',
      ].join('\n');
    const first = await runKubectl(KUBECTL, kubeconfig, ['apply', '-f', '-'], deployment('nginx:1', true));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /deployment.apps\/openapi-apply created/);
    const second = await runKubectl(KUBECTL, kubeconfig, ['apply', '-f', '-'], deployment('nginx:2', false));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /deployment.apps\/openapi-apply configured/);
    const live = await api(ts.server, 'GET', '/apis/apps/v1/namespaces/default/deployments/openapi-apply');
    assert.equal(live.status, 200);
    const containers = live.body.spec.template.spec.containers;
    assert.equal(containers.length, 1);
    assert.equal(containers[0].image, 'nginx:2');
    assert.deepEqual(
      containers[0].ports.map((p: { containerPort: number }) => p.containerPort),
      [80],
    );
    const third = await runKubectl(KUBECTL, kubeconfig, ['apply', '-f', '-'], deployment('nginx:2', false));
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /deployment.apps\/openapi-apply unchanged/);
  });
});
