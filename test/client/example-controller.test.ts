/**
 * The README's worked controller (examples/namespace-welcome.ts, quoted there verbatim) run as
 * two processes against a real server: the leader keeps a `welcome` ConfigMap in every namespace.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { eventuallyPasses } from '../helpers/eventually.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let s: TestServer;
const children: ChildProcess[] = [];
before(async () => {
  s = await startTestServer();
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await s.stop();
});

test('the README quotes the example controller whole, in under 60 lines', async () => {
  const [readme, example] = await Promise.all([readFile(`${ROOT}README.md`, 'utf8'), readFile(`${ROOT}examples/namespace-welcome.ts`, 'utf8')]);
  assert.ok(readme.includes('```ts\n' + example + '```'), 'README.md holds examples/namespace-welcome.ts verbatim');
  assert.ok(example.split('\n').length < 60);
});

test('two replicas: the leader creates and restores each namespace\'s welcome ConfigMap, once', async () => {
  for (let i = 0; i < 2; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/namespace-welcome.ts', '--kubeconfig', s.server.kubeconfigPath], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
  }
  assert.equal((await api(s.server, 'POST', '/api/v1/namespaces', { metadata: { name: 'team-a' } })).status, 201);
  await eventuallyPasses(async () => {
    const cm = await api(s.server, 'GET', '/api/v1/namespaces/team-a/configmaps/welcome');
    assert.equal(cm.status, 200);
    assert.deepEqual(cm.body.data, { greeting: 'Welcome to team-a!' });
  }, 60_000);
  const defaultCm = await api(s.server, 'GET', '/api/v1/namespaces/default/configmaps/welcome');
  assert.equal(defaultCm.status, 200, 'namespaces that existed before it started are handled too');
  assert.equal((await api(s.server, 'DELETE', '/api/v1/namespaces/team-a/configmaps/welcome')).status, 200);
  await eventuallyPasses(async () => assert.equal((await api(s.server, 'GET', '/api/v1/namespaces/team-a/configmaps/welcome')).status, 200), 20_000);
  // A cluster-scoped object's Events live in `default`, as upstream records them.
  const events = await api(s.server, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dteam-a,reason%3DWelcomeCreated');
  assert.equal(events.body.items.length, 1, 'one Event, counted twice, from the one leader');
  assert.equal(events.body.items[0].count, 2);
  assert.equal(events.body.items[0].message, 'created ConfigMap team-a/welcome');
  assert.equal(events.body.items[0].involvedObject.kind, 'Namespace');
  assert.equal(events.body.items[0].source.component, 'namespace-welcome');
  const lease = await api(s.server, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/namespace-welcome');
  assert.match(lease.body.spec.holderIdentity, /^.+_[0-9a-f-]{36}$/);
});
