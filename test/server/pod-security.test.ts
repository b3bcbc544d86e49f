/**
 * The PodSecurity admission plugin through the real server: a `restricted` namespace refuses a
 * plain Pod with upstream's exact message (over HTTP, with dry-run, and through kubectl) and
 * admits a compliant one; `baseline` refuses privileged containers and hostPath volumes; pod
 * controllers are admitted with upstream's Warning; a `warn` level stricter than enforce admits
 * with a Warning; metadata-only Pod updates are not checked; invalid labels are 422 on
 * namespaces and fail closed for enforce; a stricter enforce level warns about existing pods;
 * unlabelled namespaces are not checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { PodServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { failureStatus } from '../helpers/objects.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';

/** Upstream's findings for a plain nginx Pod (container "c") under restricted. */
const RESTRICTED_DETAIL =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const RESTRICTED_NGINX = `violates PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`;
const WOULD_VIOLATE = `would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`;

const forbiddenStatus = (name: string, message: string) => failureStatus(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });

/** One warning as the HTTP `Warning` header carries it. */
const warningHeader = (...texts: string[]) => texts.map((t) => `299 - "${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');

const PLAIN = { containers: [{ name: 'c', image: 'nginx' }] };
const COMPLIANT = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

describe('PodSecurity admission', () => {
  let ts: TestServer;
  const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(ts.server, method, path, body, headers);
  const pod = (ns: string, name: string, spec: unknown, query = '') =>
    http('POST', `/api/v1/namespaces/${ns}/pods${query}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });
  const namespace = async (name: string, labels: Record<string, string>) => {
    const r = await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };

  before(async () => {
    ts = await startTestServer();
    await namespace('restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await namespace('baseline', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    await namespace('warned', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' });
    await namespace('open', {});
  });
  after(() => ts?.stop());

  it('refuses a plain Pod in a restricted namespace with upstream\'s message, also on dry-run, and stores nothing', async () => {
    const r = await pod('restricted', 'web', PLAIN);
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, forbiddenStatus('web', RESTRICTED_NGINX));
    const dry = await pod('restricted', 'web', PLAIN, '?dryRun=All');
    assert.equal(dry.status, 403);
    assert.deepEqual(dry.body, forbiddenStatus('web', RESTRICTED_NGINX));
    assert.equal((await http('GET', '/api/v1/namespaces/restricted/pods/web')).status, 404);
  });

  it('refuses the same Pod over gRPC with the same Status', async () => {
    const client = new PodServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: PLAIN };
      const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: 'restricted', object: toMessage('k8s.io.api.core.v1.Pod', pod) }, cb)));
      assert.equal(failure.grpcCode, GrpcStatus.PERMISSION_DENIED);
      assert.equal(failure.details, `pods "web" is forbidden: ${RESTRICTED_NGINX}`);
      assert.deepEqual(failure.status, forbiddenStatus('web', RESTRICTED_NGINX));
    } finally {
      client.close();
    }
  });

  it('admits a compliant Pod in a restricted namespace without warnings', async () => {
    const r = await pod('restricted', 'ok', COMPLIANT);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.get('warning'), null);
  });

  it('baseline refuses privileged containers and hostPath volumes in upstream\'s words, and admits a plain Pod', async () => {
    const priv = await pod('baseline', 'priv', { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] });
    assert.equal(priv.status, 403);
    assert.deepEqual(priv.body, forbiddenStatus('priv', 'violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)'));
    const host = await pod('baseline', 'host', { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] });
    assert.equal(host.status, 403);
    assert.deepEqual(host.body, forbiddenStatus('host', 'violates PodSecurity "baseline:latest": hostPath volumes (volume "root")'));
    const both = await pod('baseline', 'both', {
      hostNetwork: true,
      containers: [
        { name: 'a', image: 'nginx', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_TIME'] } }, ports: [{ containerPort: 80, hostPort: 8080 }] },
        { name: 'b', image: 'nginx', securityContext: { privileged: true } },
      ],
    });
    assert.equal(both.status, 403);
    assert.equal(
      both.body.message,
      'pods "both" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), ' +
        'host namespaces (hostNetwork=true), hostPort (container "a" uses hostPort 8080), privileged (containers "a", "b" must not set securityContext.privileged=true)',
    );
    const plain = await pod('baseline', 'plain', PLAIN);
    assert.equal(plain.status, 201, JSON.stringify(plain.body));
    assert.equal(plain.headers.get('warning'), null);
  });

  it('admits a Deployment in a restricted namespace with the Warning upstream gives', async () => {
    const r = await http('POST', '/apis/apps/v1/namespaces/restricted/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: PLAIN } },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.get('warning'), warningHeader(WOULD_VIOLATE));
    const cron = await http('POST', '/apis/batch/v1/namespaces/restricted/cronjobs?dryRun=All', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { ...PLAIN, restartPolicy: 'Never' } } } } },
    });
    assert.equal(cron.status, 201, JSON.stringify(cron.body));
    assert.equal(cron.headers.get('warning'), warningHeader(WOULD_VIOLATE));
  });

  it('warn=restricted on a baseline-enforced namespace admits a plain Pod with a Warning (dry-run too)', async () => {
    for (const query of ['?dryRun=All', '']) {
      const r = await pod('warned', 'web', PLAIN, query);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.headers.get('warning'), warningHeader(WOULD_VIOLATE));
    }
  });

  it('does not check Pod updates that change only metadata, and checks image changes', async () => {
    await namespace('tighten', {});
    assert.equal((await pod('tighten', 'web', PLAIN)).status, 201);
    const label = await http('PATCH', '/api/v1/namespaces/tighten', { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(label.status, 200, JSON.stringify(label.body));
    assert.equal(
      label.headers.get('warning'),
      warningHeader(
        'existing pods in namespace "tighten" violate the new PodSecurity enforce level "restricted:latest"',
        'web: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
      ),
    );
    // Pod admission reads namespaces from the namespace watch's cache: wait until it has the label.
    for (let i = 0; i < 100 && (await pod('tighten', 'probe', PLAIN, '?dryRun=All')).status !== 403; i++) await new Promise((r) => setTimeout(r, 20));
    const merge = { 'content-type': 'application/merge-patch+json' };
    const meta = await http('PATCH', '/api/v1/namespaces/tighten/pods/web', { metadata: { labels: { a: 'b' } } }, merge);
    assert.equal(meta.status, 200, JSON.stringify(meta.body));
    const image = await http('PATCH', '/api/v1/namespaces/tighten/pods/web', { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
    assert.equal(image.status, 403);
    assert.deepEqual(image.body, forbiddenStatus('web', RESTRICTED_NGINX));
  });

  it('refuses invalid labels on namespace create and update', async () => {
    const bad = await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.reason, 'Invalid');
    assert.equal(bad.body.message, 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
    assert.deepEqual(bad.body.details, {
      name: 'bad',
      kind: 'Namespace',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "strict": must be one of privileged, baseline, restricted', field: 'metadata.labels[pod-security.kubernetes.io/enforce]' }],
    });
    const version = await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad', labels: { 'pod-security.kubernetes.io/enforce-version': '1.30' } } });
    assert.equal(version.status, 422);
    assert.equal(version.body.message, 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.30": must be "latest" or "v1.x"');
    // Adding a bad label to an existing namespace is refused too.
    await namespace('failclosed', {});
    const patched = await http('PATCH', '/api/v1/namespaces/failclosed', { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.message, 'Namespace "failclosed" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted');
  });

  it('names the version label in messages (every version is checked as latest)', async () => {
    await namespace('pinned', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.25' });
    const r = await pod('pinned', 'web', PLAIN);
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, forbiddenStatus('web', RESTRICTED_NGINX.replace('restricted:latest', 'restricted:v1.25')));
  });

  it('does not check Pods in unlabelled namespaces', async () => {
    const r = await pod('open', 'priv', { hostPID: true, containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.get('warning'), null);
  });

  it('kubectl shows the refusal and the warning as upstream\'s kubectl does', async () => {
    const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);
    const refused = await k(['run', 'web', '-n', 'restricted', '--image=nginx']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), `Error from server (Forbidden): pods "web" is forbidden: ${RESTRICTED_NGINX.replaceAll('"c"', '"web"')}`);
    const warned = await k(['create', 'deployment', 'kweb', '-n', 'restricted', '--image=nginx']);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout.trim(), 'deployment.apps/kweb created');
    assert.equal(warned.stderr.trim(), `Warning: ${WOULD_VIOLATE.replaceAll('"c"', '"nginx"')}`);
  });
});
