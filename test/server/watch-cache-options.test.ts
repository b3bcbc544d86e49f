/**
 * The watch cache's switches: by default every stored resource is cached (one backend watch
 * each, on /metrics); `--watch-cache-sizes configmaps#0` serves ConfigMaps from the store
 * while the rest stay cached; `--watch-cache=false` caches nothing. Reads and watches answer
 * the same either way. The flags parse as kube-apiserver's do.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

async function backendWatches(t: TestServer): Promise<Map<string, number>> {
  const text = await (await fetch(`${t.server.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^apiserver_storage_backend_watches\{group="([^"]*)",resource="([^"]*)"\} (\d+)$/gm)) out.set(`${m[1]}/${m[2]}`, Number(m[3]));
  return out;
}

async function roundTrip(t: TestServer): Promise<void> {
  const path = '/api/v1/namespaces/default/configmaps';
  const created = await api(t.server, 'POST', path, { metadata: { name: 'opt' }, data: { a: '1' } });
  assert.equal(created.status, 201);
  const got = await api(t.server, 'GET', `${path}/opt`);
  assert.equal(got.status, 200);
  assert.equal((got.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, (created.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  const list = await api(t.server, 'GET', path);
  assert.deepEqual((list.body as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name), ['opt']);
}

for (const [label, options, configmaps, deployments] of [
  ['default', {}, 1, 1],
  ['--watch-cache-sizes configmaps#0', { watchCacheSizes: ['configmaps#0'] }, undefined, 1],
  ['--watch-cache=false', { watchCache: false }, undefined, undefined],
] as const) {
  describe(`watch cache switches: ${label}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(options);
    });
    after(async () => {
      await t.stop();
    });

    it('caches exactly the resources it should, and answers alike', async () => {
      const watches = await backendWatches(t);
      assert.equal(watches.get('/configmaps'), configmaps);
      assert.equal(watches.get('apps/deployments'), deployments);
      await roundTrip(t);
    });
  });
}

describe('watch cache flags', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cmd/wheelhouse.ts', ...args], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });

  it('refuses malformed values with the flag named', () => {
    const bad = run('--watch-cache-sizes', 'pods');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^Error: invalid value "pods" for --watch-cache-sizes: must be resource\[\.group\]#size$/m);
    const notBool = run('--watch-cache=maybe');
    assert.equal(notBool.status, 2);
    assert.match(notBool.stderr, /^Error: invalid value "maybe" for --watch-cache: must be true or false$/m);
  });

  it('documents both in --help', () => {
    const help = run('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--watch-cache {13}serve reads and watches from memory/);
    assert.match(help.stdout, /--watch-cache-sizes strings/);
  });
});
