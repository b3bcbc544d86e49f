/**
 * Acceptance: real kubectl 1.31 (JSON bodies) and 1.33 (protobuf bodies for generator
 * commands) against a real server on the embedded store, with upstream's messages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { kubectl, runKubectl } from '../helpers/kubectl.js';

const MANIFEST = (ns: string): string => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: ${ns}
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
  namespace: ${ns}
stringData:
  password: hunter2
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: ${ns}
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: ${ns}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox
            command: ["true"]
`;

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.stop();
});

describe('the kubectl dispatcher', () => {
  it('picks the client matching the server minor (1.33) from /version', async () => {
    const { execFile } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
    const out = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['version'], { env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: ts.server.kubeconfigPath } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    assert.match(out, /^Client Version: v1\.33\.\d+$/m);
    assert.match(out, /^Server Version: v1\.33\.0\+wheelhouse$/m);
  });
});

for (const minor of [31, 33]) {
  describe(`kubectl 1.${minor}`, () => {
    const ns = `team-${minor}`;
    const k = (...args: string[]) => runKubectl(minor, ts.server.kubeconfigPath, args);
    const kin = (stdin: string, ...args: string[]) => runKubectl(minor, ts.server.kubeconfigPath, args, stdin);

    it('version reports the server', async () => {
      const r = await k('version');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Server Version: v1\.33\.0\+wheelhouse/);
    });

    it('api-versions and api-resources list what we serve', async () => {
      const versions = await k('api-versions');
      assert.equal(versions.code, 0, versions.stderr);
      assert.deepEqual(versions.stdout.trim().split('\n').sort(), ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1']);
      const resources = await k('api-resources');
      assert.equal(resources.code, 0, resources.stderr);
      assert.match(resources.stdout, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
      assert.match(resources.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(resources.stdout, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      assert.match(resources.stdout, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m);
    });

    it('creates a namespace, a configmap and a secret with generators', async () => {
      let r = await k('create', 'ns', ns);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `namespace/${ns} created`);
      r = await k('create', 'configmap', 'cfg', '--from-literal=a=b', '-n', ns);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'configmap/cfg created');
      r = await k('create', 'secret', 'generic', 'sec', '--from-literal=k=v', '-n', ns);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'secret/sec created');
      const got = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/secrets/sec`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.data, { k: Buffer.from('v').toString('base64') });
      assert.equal(got.body.type, 'Opaque');
    });

    it('creates a multi-document manifest with default validation', async () => {
      const r = await kin(MANIFEST(ns), 'create', '-f', '-');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        'configmap/app-config created',
        'secret/app-secret created',
        'service/web created',
        'pod/web-0 created',
        'deployment.apps/web created',
        'cronjob.batch/nightly created',
      ]);
    });

    it('gets objects as YAML', async () => {
      const r = await k('get', 'configmap', 'app-config', '-n', ns, '-o', 'yaml');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^apiVersion: v1$/m);
      assert.match(r.stdout, /^kind: ConfigMap$/m);
      assert.match(r.stdout, /^ {2}color: blue$/m);
      assert.match(r.stdout, /^ {2}resourceVersion: "\d+"$/m);
      assert.match(r.stdout, /^ {2}uid: [0-9a-f-]{36}$/m);
      const d = await k('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas} {.metadata.generation}');
      assert.equal(d.stdout, '2 1');
    });

    it('get -w sees a change made meanwhile', async () => {
      let seen = '';
      const watch = kubectl(minor, ts.server.kubeconfigPath, ['get', 'configmaps', '-n', ns, '-w', '-o', 'name'], {
        onStdout: (c) => (seen += c),
        timeoutMs: 30_000,
      });
      const deadline = Date.now() + 20_000;
      while (!seen.includes('configmap/app-config') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const created = await api(ts.server, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'watched' } });
      assert.equal(created.status, 201);
      while (!seen.includes('configmap/watched') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      watch.kill();
      await watch.result;
      assert.match(seen, /configmap\/watched/);
    });

    it('reports upstream errors', async () => {
      let r = await k('create', 'configmap', 'cfg', '--from-literal=a=b', '-n', ns);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'error: failed to create configmap: configmaps "cfg" already exists');
      r = await k('get', 'configmap', 'nope', '-n', ns);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "nope" not found');
      const current = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/cfg`);
      const stale = { ...current.body, data: { a: 'c' } };
      await api(ts.server, 'PUT', `/api/v1/namespaces/${ns}/configmaps/cfg`, { ...current.body, data: { a: 'z' } });
      r = await kin(JSON.stringify(stale), 'replace', '-f', '-');
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
      );
      r = await kin(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: ${ns}\n`, 'create', '-f', '-');
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      );
      r = await kin(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: ${ns}\nspec:\n  foo: bar\n`, 'create', '-f', '-');
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"',
      );
    });

    it('delete returns once the object is gone', async () => {
      let r = await k('delete', 'configmap', 'cfg', '-n', ns);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'configmap "cfg" deleted');
      const gone = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/cfg`);
      assert.equal(gone.status, 404);
      r = await k('delete', 'namespace', ns);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `namespace "${ns}" deleted`);
      const nsGone = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}`);
      assert.equal(nsGone.status, 404);
      const contents = await api(ts.server, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
      assert.deepEqual(contents.body.items, []);
    });
  });
}
