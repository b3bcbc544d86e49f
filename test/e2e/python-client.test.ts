/**
 * Acceptance: Debian's python3-kubernetes 22.6.0 (strict generated models) against a real
 * server on the embedded store. The scripts in ./python/ print one JSON document each.
 *
 * The package is visible to /usr/bin/python3 only (not to a pyenv `python3` shim on PATH).
 * When it is missing the suite fails under CI and is skipped, loudly, elsewhere.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), 'python');
const NS = 'python-client';
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why the Python client cannot run here, or undefined when it can. */
function pythonClientMissing(): string | undefined {
  try {
    const version = execFileSync(PYTHON, ['-c', 'import kubernetes; print(kubernetes.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    return version === '22.6.0' ? undefined : `python3-kubernetes is ${version}, expected 22.6.0`;
  } catch (err) {
    return `python3-kubernetes not importable by ${PYTHON}: ${(err as Error).message.split('\n')[0]}`;
  }
}

const missing = pythonClientMissing();
if (missing && process.env.CI) throw new Error(`${missing} (required in CI: apt-get install python3-kubernetes)`);
if (missing) console.warn(`\n*** SKIPPING Python client e2e tests: ${missing} ***\n`);

/** Runs `python/<script>.py KUBECONFIG NAMESPACE` and parses its JSON stdout. */
function runScript(ts: TestServer, script: string, namespace = NS): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [join(SCRIPTS, `${script}.py`), ts.server.kubeconfigPath, namespace],
      { cwd: SCRIPTS, timeout: 20_000, env: { PATH: '/usr/bin:/bin', HOME: ts.dataDir, PYTHONDONTWRITEBYTECODE: '1' } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${script}.py failed (${err.message}):\n${stderr}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`${script}.py printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('python3-kubernetes 22.6.0', { skip: missing ? `SKIPPED: ${missing}` : false }, () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts?.stop();
  });

  it('CoreV1Api.list_namespace returns the four system namespaces', async () => {
    const out = await runScript(ts, 'namespaces');
    assert.deepEqual(out, {
      kind: 'NamespaceList',
      apiVersion: 'v1',
      resourceVersionIsDigits: true,
      names: ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
      phases: ['Active'],
    });
    const created = await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    assert.equal(created.status, 201);
  });

  it('creates, reads, strategic-merge-patches and deletes a ConfigMap', async () => {
    const out = await runScript(ts, 'configmaps');
    assert.match(out.created.uid, UID);
    assert.match(out.created.resourceVersion, /^\d+$/);
    assert.deepEqual(out, {
      created: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        name: 'py-cm',
        namespace: NS,
        labels: { app: 'py' },
        data: { color: 'blue', size: 'L' },
        uid: out.created.uid,
        resourceVersion: out.created.resourceVersion,
        creationTimestampType: 'datetime',
      },
      read: { uid: out.created.uid, resourceVersion: out.created.resourceVersion, data: { color: 'blue', size: 'L' } },
      patched: {
        labels: { app: 'py', tier: 'web' },
        data: { color: 'blue', shape: 'round' },
        resourceVersionIncreased: true,
      },
      deleted: { type: 'V1Status', status: 'Success', detailsName: 'py-cm' },
      afterDelete: 404,
    });
  });

  it('AppsV1Api creates and lists Deployments without deserialization errors', async () => {
    const out = await runScript(ts, 'deployments');
    assert.deepEqual(out, {
      created: {
        type: 'V1Deployment',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'py-web',
        generation: 1,
        replicas: 2,
      },
      list: {
        type: 'V1DeploymentList',
        kind: 'DeploymentList',
        names: ['py-web'],
        selector: { app: 'py-web' },
        container: ['nginx', 'nginx:1.27', 80],
        strategy: 'RollingUpdate',
      },
      allNamespaces: [`${NS}/py-web`],
    });
  });

  it('a missing object raises ApiException 404 with the NotFound Status body', async () => {
    const out = await runScript(ts, 'errors');
    assert.deepEqual(out, {
      raised: true,
      status: 404,
      reason: 'Not Found',
      body: {
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        message: 'configmaps "py-missing" not found',
        code: 404,
      },
    });
  });

  it('watch.Watch().stream sees an ADDED event for an object created meanwhile', async () => {
    const out = await runScript(ts, 'watch');
    assert.deepEqual(out, {
      events: [['ADDED', 'V1ConfigMap', 'py-watched', { k: 'v' }]],
      stoppedEarly: true,
    });
  });
});
