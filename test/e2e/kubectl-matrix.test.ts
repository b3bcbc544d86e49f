/**
 * Acceptance: every kubectl we support (1.27, 1.28, 1.31, 1.33, and 1.35 from the npm layer
 * package) runs the everyday write commands against one shared server: `apply -f` (create,
 * update, unchanged), `create -f` of a `kind: List` file, client-side `diff`, `edit` through
 * KUBE_EDITOR, and `explain`, with upstream's exact output.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectl, runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const MINORS = [27, 28, 31, 33, 35];

const configMap = (ns: string, color: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
data:
  color: ${color}
`;

const deployment = (ns: string, replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

const list = (ns: string): string => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: listed
    namespace: ${ns}
  data:
    size: small
- apiVersion: v1
  kind: Service
  metadata:
    name: listed
    namespace: ${ns}
  spec:
    selector: {app: web}
    ports:
    - port: 80
      targetPort: 8080
`;

let ts: TestServer;
let editor: string;

before(async () => {
  ts = await startTestServer();
  // kubectl edit runs $KUBE_EDITOR with the temporary file as its last argument.
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-editor-'));
  editor = join(dir, 'edit.sh');
  writeFileSync(editor, '#!/bin/sh\nexec sed -i -e "s/color: red/color: green/" -e "s/replicas: 2/replicas: 4/" "$1"\n');
  chmodSync(editor, 0o755);
});
after(async () => {
  await ts?.stop();
});

for (const minor of MINORS) {
  describe(`kubectl 1.${minor}`, () => {
    const ns = `matrix-${minor}`;
    const k = (...args: string[]) => runKubectl(minor, ts.server.kubeconfigPath, args);
    const kin = (stdin: string, ...args: string[]) => runKubectl(minor, ts.server.kubeconfigPath, args, stdin);

    before(async () => {
      const r = await k('create', 'namespace', ns);
      assert.equal(r.code, 0, r.stderr);
    });

    it('apply -f creates, configures, then leaves unchanged', async () => {
      const created = await kin(configMap(ns, 'blue'), 'apply', '-f', '-');
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout, 'configmap/settings created\n');
      assert.equal(created.stderr, '');
      const configured = await kin(configMap(ns, 'red'), 'apply', '-f', '-');
      assert.equal(configured.code, 0, configured.stderr);
      assert.equal(configured.stdout, 'configmap/settings configured\n');
      const before = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/settings`);
      const unchanged = await kin(configMap(ns, 'red'), 'apply', '-f', '-');
      assert.equal(unchanged.code, 0, unchanged.stderr);
      assert.equal(unchanged.stdout, 'configmap/settings unchanged\n');
      const after = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/settings`);
      assert.equal(after.body.metadata.resourceVersion, before.body.metadata.resourceVersion);
      assert.deepEqual(after.body.data, { color: 'red' });

      const deploy = await kin(deployment(ns, 2), 'apply', '-f', '-');
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.equal(deploy.stdout, 'deployment.apps/web created\n');
      const again = await kin(deployment(ns, 2), 'apply', '-f', '-');
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, 'deployment.apps/web unchanged\n');
    });

    it('create -f of a kind: List creates every item', async () => {
      const r = await kin(list(ns), 'create', '-f', '-');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'configmap/listed created\nservice/listed created\n');
      const cm = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/listed`);
      assert.equal(cm.status, 200);
      assert.deepEqual(cm.body.data, { size: 'small' });
      const svc = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/services/listed`);
      assert.equal(svc.status, 200);
      assert.equal(svc.body.spec.ports[0].targetPort, 8080);
    });

    it('diff exits 1 with the change, 0 when there is none', async () => {
      const changed = await kin(deployment(ns, 3), 'diff', '-f', '-');
      assert.equal(changed.code, 1, changed.stderr);
      const lines = changed.stdout.split('\n');
      assert.match(lines[0]!, new RegExp(`^diff -u -N \\S+/LIVE-\\d+/apps\\.v1\\.Deployment\\.${ns}\\.web \\S+/MERGED-\\d+/apps\\.v1\\.Deployment\\.${ns}\\.web$`));
      assert.match(lines[1]!, new RegExp(`^--- \\S+/LIVE-\\d+/apps\\.v1\\.Deployment\\.${ns}\\.web\\t`));
      // The dry-run update bumps generation as a real one would; the annotation is left alone.
      assert.deepEqual(lines.filter((l) => /^[-+] /.test(l)), ['-  generation: 1', '+  generation: 2', '-  replicas: 2', '+  replicas: 3']);
      const same = await kin(deployment(ns, 2), 'diff', '-f', '-');
      assert.equal(same.code, 0, same.stderr);
      assert.equal(same.stdout, '');
    });

    it('edit saves what the editor changed', async () => {
      const env = { KUBE_EDITOR: editor };
      const r = await kubectl(minor, ts.server.kubeconfigPath, ['edit', '-n', ns, 'configmap/settings'], { env }).result;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'configmap/settings edited\n');
      const cm = await api(ts.server, 'GET', `/api/v1/namespaces/${ns}/configmaps/settings`);
      assert.deepEqual(cm.body.data, { color: 'green' });
      const unchanged = await kubectl(minor, ts.server.kubeconfigPath, ['edit', '-n', ns, 'configmap/settings'], { env }).result;
      assert.equal(unchanged.code, 0, unchanged.stderr);
      assert.equal(unchanged.stderr, 'Edit cancelled, no changes made.\n');
      const deploy = await kubectl(minor, ts.server.kubeconfigPath, ['edit', '-n', ns, 'deployment/web'], { env }).result;
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.equal(deploy.stdout, 'deployment.apps/web edited\n');
      const d = await api(ts.server, 'GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`);
      assert.equal(d.body.spec.replicas, 4);
      assert.equal(d.body.metadata.generation, 2);
    });

    it('explain describes the field and its type, then each member', async () => {
      const r = await k('explain', 'deployment.spec.strategy');
      assert.equal(r.code, 0, r.stderr);
      // kubectl up to 1.28 explains from OpenAPI v2, later ones from v3 with one more blank line.
      const gap = minor <= 28 ? [''] : ['', ''];
      assert.equal(r.stdout, [
        'GROUP:      apps',
        'KIND:       Deployment',
        'VERSION:    v1',
        '',
        'FIELD: strategy <DeploymentStrategy>',
        ...gap,
        'DESCRIPTION:',
        '    How running pods are replaced when the template changes.',
        '    How a Deployment swaps old pods for new ones.',
        '    ',
        'FIELDS:',
        '  rollingUpdate\t<RollingUpdateDeployment>',
        '    Limits of a rolling update; only allowed when type is RollingUpdate.',
        '',
        '  type\t<string>',
        '    Recreate (stop all old pods, then start new ones) or RollingUpdate (replace',
        '    them a few at a time). Defaults to RollingUpdate.',
        '',
        '',
        '',
      ].join('\n'));
      const data = await k('explain', 'configmap.data');
      assert.equal(data.code, 0, data.stderr);
      assert.equal(data.stdout, [
        'KIND:       ConfigMap',
        'VERSION:    v1',
        '',
        'FIELD: data <map[string]string>',
        ...gap,
        'DESCRIPTION:',
        "    The configuration entries as UTF-8 strings. Keys are letters, digits, '-',",
        "    '_' or '.', and may not also appear in binaryData.",
        '    ',
        '',
        '',
      ].join('\n'));
    });
  });
}
