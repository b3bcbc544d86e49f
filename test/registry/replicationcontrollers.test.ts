/**
 * core/v1 ReplicationController through kubectl 1.33 and the API: selector and labels
 * defaulted from the template as upstream, one replica, upstream's validation messages,
 * `kubectl scale rc` through `/scale` and the wide printer columns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const RC = '/api/v1/namespaces/default/replicationcontrollers';
const MANIFEST = `apiVersion: v1
kind: ReplicationController
metadata:
  name: web
  namespace: default
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

describe('ReplicationController', () => {
  let ts: TestServer;
  const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('defaults selector, labels and replicas from the template, and scales through /scale', async () => {
    const r = await k(['apply', '-f', '-'], MANIFEST);
    assert.deepEqual([r.code, r.stdout], [0, 'replicationcontroller/web created\n']);
    const rc = (await api(ts.server, 'GET', `${RC}/web`)).body;
    assert.deepEqual([rc.metadata.labels, rc.spec.selector, rc.spec.replicas, rc.status], [{ app: 'web' }, { app: 'web' }, 1, { replicas: 0 }]);
    assert.equal(rc.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(rc.spec.template.spec.restartPolicy, 'Always');
    const scaled = await k(['scale', 'rc', 'web', '--replicas=3']);
    assert.deepEqual([scaled.code, scaled.stdout], [0, 'replicationcontroller/web scaled\n']);
    const scale = (await api(ts.server, 'GET', `${RC}/web/scale`)).body;
    assert.deepEqual([scale.spec.replicas, scale.status.selector], [3, 'app=web']);
    const wide = await k(['get', 'rc', 'web', '-o', 'wide', '--no-headers']);
    assert.match(wide.stdout, /^web\s+3\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.27\s+app=web\n$/);
  });

  it('refuses what upstream refuses', async () => {
    const bad = await api(ts.server, 'POST', RC, {
      metadata: { name: 'bad' },
      spec: { selector: { app: 'other' }, template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
    });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body.message,
      'ReplicationController "bad" is invalid: [spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`, spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"]',
    );
    const none = await api(ts.server, 'POST', RC, { metadata: { name: 'none' }, spec: {} });
    assert.equal(none.status, 422);
    assert.equal(none.body.message, 'ReplicationController "none" is invalid: [spec.selector: Required value, spec.template: Required value]');
  });
});
