/**
 * Acceptance, for kubectl 1.27, 1.28, 1.31, 1.33 and 1.35: manifests are validated as
 * against kube-apiserver. A single object with an unknown field is refused by the server
 * (kubectl finds `fieldValidation` on the kind's PATCH in OpenAPI and sends Strict); a
 * `kind: List` file is validated by kubectl itself against the /openapi/v2 models (its
 * protobuf form), and created or applied item by item when valid; a kind discovery does
 * not know gets `no matches for kind`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const MINORS = [27, 28, 31, 33, 35];

const UNKNOWN_FIELD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: strict
data:
  a: b
bogus: 1
`;

function list(prefix: string): string {
  return `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: ${prefix}-cm
  data:
    color: blue
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${prefix}-deploy
  spec:
    selector:
      matchLabels: {app: ${prefix}}
    template:
      metadata:
        labels: {app: ${prefix}}
      spec:
        containers:
        - name: c
          image: nginx
`;
}

const INVALID_LIST = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: invalid-cm
  bogus: 1
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: invalid-deploy
  spec:
    replicas: "x"
    selector:
      matchLabels: {app: x}
    template:
      metadata:
        labels: {app: x}
      spec:
        containers:
        - name: c
          image: nginx
          bogusField: 2
`;

const INVALID_LIST_ERROR =
  'error: error validating "STDIN": error validating data: [' +
  'ValidationError(ConfigMap): unknown field "bogus" in io.k8s.api.core.v1.ConfigMap, ' +
  'ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer", ' +
  'ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "bogusField" in io.k8s.api.core.v1.Container' +
  ']; if you choose to ignore these errors, turn validation off with --validate=false\n';

describe('kubectl validates manifests against the server as against kube-apiserver', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
    for (const minor of MINORS) assert.equal((await runKubectl(33, ts.server.kubeconfigPath, ['create', 'namespace', `v${minor}`])).code, 0);
  });
  after(async () => ts.stop());

  for (const minor of MINORS) {
    const ns = `v${minor}`;
    const kubectl = (args: string[], stdin?: string) => runKubectl(minor, ts.server.kubeconfigPath, ['-n', ns, ...args], stdin);

    describe(`kubectl 1.${minor}`, () => {
      it('apply -f and create -f of an object with an unknown field: the server refuses it (fieldValidation=Strict)', async () => {
        for (const verb of ['apply', 'create']) {
          const r = await kubectl([verb, '-f', '-'], UNKNOWN_FIELD);
          assert.equal(r.code, 1, verb);
          assert.equal(
            r.stderr,
            'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"\n',
            verb,
          );
        }
        assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/strict`)).status, 404);
      });

      it('create -f of a kind: List creates every item', async () => {
        const r = await kubectl(['create', '-f', '-'], list('created'));
        assert.equal(r.stderr, '');
        assert.equal(r.code, 0);
        assert.equal(r.stdout, 'configmap/created-cm created\ndeployment.apps/created-deploy created\n');
        const cm = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/created-cm`);
        assert.deepEqual(cm.body.data, { color: 'blue' });
        assert.equal((await api(ts.server, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/created-deploy`)).status, 200);
      });

      it('apply -f of a kind: List creates every item, and a second apply leaves them unchanged', async () => {
        const first = await kubectl(['apply', '-f', '-'], list('applied'));
        assert.equal(first.stderr, '');
        assert.equal(first.stdout, 'configmap/applied-cm created\ndeployment.apps/applied-deploy created\n');
        const cm = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/applied-cm`);
        assert.ok(cm.body.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
        const again = await kubectl(['apply', '-f', '-'], list('applied'));
        assert.equal(again.stderr, '');
        assert.equal(again.stdout, 'configmap/applied-cm unchanged\ndeployment.apps/applied-deploy unchanged\n');
      });

      it('a kind: List with invalid items is refused by kubectl from the /openapi/v2 schema, and nothing is written', async () => {
        // create and apply validate the same way; create is checked once (1.33) to keep the matrix short.
        for (const verb of [minor === 33 ? 'create' : 'apply']) {
          const r = await kubectl([verb, '-f', '-'], INVALID_LIST);
          assert.equal(r.code, 1, verb);
          assert.equal(r.stdout, '', verb);
          assert.equal(r.stderr, INVALID_LIST_ERROR, verb);
        }
        assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/invalid-cm`)).status, 404);
        assert.equal((await api(ts.server, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/invalid-deploy`)).status, 404);
      });

      // A kind missing from a group version the server does serve (v1 Nope) makes kubectl list
      // CustomResourceDefinitions first, which are not served yet; that case waits for CRDs.
      it('a kind of a group version discovery does not know gets no matches for kind', async () => {
        for (const [apiVersion, kind] of [['example.com/v1', 'Nope'], ['apps/v9', 'Deployment']]) {
          for (const verb of ['apply']) {
            const r = await kubectl([verb, '-f', '-'], `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`);
            assert.equal(r.code, 1, `${verb} ${apiVersion}`);
            assert.equal(
              r.stderr,
              `error: resource mapping not found for name: "x" namespace: "" from "STDIN": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first\n`,
              `${verb} ${apiVersion}`,
            );
          }
        }
      });
    });
  }
});
