/**
 * Encryption at rest (`--encryption-provider-config`) on a real etcd, read back with
 * etcdctl as an operator would: Secrets written with `k8s:enc:aesgcm:v1:key1:` and no trace
 * of their plaintext, read back decrypted through GET, LIST, watch and kubectl; Secrets
 * written before encryption still read; key rotation with upstream's documented rewrite
 * (`kubectl get secrets --all-namespaces -o json | kubectl replace -f -`); the storage
 * version migrator's no-op rewrites re-encrypting stale values; ConfigMaps untouched when
 * only secrets are listed; a value no provider reads is a 500; a bad file stops the start.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const KEY1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY2 = Buffer.alloc(32, 0x22).toString('base64');
const KEY3 = Buffer.alloc(32, 0x33).toString('base64');
const CANARY = 'canary-value-7f3a9c';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');
const OLD_CANARY = 'written-before-encryption-51d2';
const SECRETS = '/api/v1/namespaces/default/secrets';
const RUNTIME_CONFIG = 'storagemigration.k8s.io/v1alpha1=true';

function etcdctl(etcd: EtcdInstance, ...args: string[]): Buffer {
  return execFileSync('etcdctl', ['--endpoints', etcd.endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
}

/** The stored value of `key`, exactly as etcd holds it. */
function stored(etcd: EtcdInstance, key: string): Buffer {
  const out = etcdctl(etcd, 'get', '--print-value-only', key);
  assert.equal(out[out.length - 1], 0x0a, `etcdctl prints ${key}`);
  return out.subarray(0, -1);
}

const secretKeys = (etcd: EtcdInstance): string[] =>
  etcdctl(etcd, 'get', '--prefix', '--keys-only', '/registry/secrets/').toString('utf8').split('\n').filter(Boolean);

const secret = (name: string, value: string, namespace = 'default'): Json => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  data: { token: Buffer.from(value).toString('base64') },
});

describe('encryption at rest', () => {
  let etcd: EtcdInstance;
  let dir: string;
  let dataDir: string;
  let t: TestServer | undefined;

  /** Writes an EncryptionConfiguration for secrets with these providers; returns its path. */
  function configFile(name: string, providers: unknown[], resources = ['secrets']): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources, providers }] }));
    return path;
  }

  /** (Re)starts the server on the same etcd and data directory with `config` (none: no encryption). */
  async function restart(config?: string): Promise<TestServer> {
    await t?.stop();
    t = await startTestServer({ etcdServers: [etcd.endpoint], dataDir, runtimeConfig: RUNTIME_CONFIG, ...(config ? { encryptionProviderConfig: config } : {}) });
    return t;
  }

  async function token(name: string, namespace = 'default'): Promise<string> {
    const res = await api(t!.server, 'GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Buffer.from(res.body.data.token, 'base64').toString('utf8');
  }

  const kubectl = async (args: string[], stdin?: string): Promise<string> => {
    const res = await runKubectl(33, t!.server.kubeconfigPath, args, stdin);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };

  before(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'wheelhouse-encryption-'));
    dataDir = join(dir, 'data');
  });
  after(async () => {
    await t?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('encrypts Secrets with the first provider, reads old plaintext ones, leaves ConfigMaps alone', async () => {
    // Before encryption: plaintext (the protobuf envelope) under the Secret's key.
    await restart();
    assert.equal((await api(t!.server, 'POST', SECRETS, secret('old', OLD_CANARY))).status, 201);
    assert.ok(stored(etcd, '/registry/secrets/default/old').includes(OLD_CANARY));
    // Without a configuration an encrypted value does not read (upstream's identity check).
    etcdctl(etcd, 'put', '/registry/secrets/default/sealed', 'k8s:enc:aesgcm:v1:key1:0123456789abcdef0123456789abcdef');
    const sealed = await api(t!.server, 'GET', `${SECRETS}/sealed`);
    assert.equal(sealed.status, 500);
    assert.equal(sealed.body.message, 'Internal error occurred: identity transformer tried to read encrypted data');
    etcdctl(etcd, 'del', '/registry/secrets/default/sealed');

    await restart(configFile('key1.json', [{ aesgcm: { keys: [{ name: 'key1', secret: KEY1 }] } }, { identity: {} }]));
    const created = await api(t!.server, 'POST', SECRETS, secret('s1', CANARY));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const value = stored(etcd, '/registry/secrets/default/s1');
    assert.equal(value.subarray(0, 23).toString('latin1'), 'k8s:enc:aesgcm:v1:key1:');
    // Upstream's layout, opened here independently: a 12-byte nonce, the AES-GCM ciphertext,
    // its 16-byte tag, the etcd key as additional data; inside, the protobuf envelope.
    const body = value.subarray(23);
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(KEY1, 'base64'), body.subarray(0, 12));
    decipher.setAAD(Buffer.from('/registry/secrets/default/s1'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]);
    assert.equal(plain.subarray(0, 4).toString('latin1'), 'k8s\0');
    assert.ok(plain.includes(CANARY));
    assert.ok(!value.includes(CANARY), 'no plaintext in etcd');
    assert.ok(!value.includes(CANARY_B64), 'no base64 of the plaintext in etcd');
    assert.ok(!value.includes('s1'), 'not even the name inside the value');
    assert.equal(await token('s1'), CANARY);
    assert.equal(await kubectl(['get', 'secret', 's1', '-o', 'jsonpath={.data.token}']), CANARY_B64);
    // The Secret written before encryption still reads, and is still plaintext until written.
    assert.equal(await token('old'), OLD_CANARY);
    assert.ok(stored(etcd, '/registry/secrets/default/old').includes(OLD_CANARY));
    // Lists and watches decrypt too.
    const list = await api(t!.server, 'GET', SECRETS);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((s: Json) => [s.metadata.name, Buffer.from(s.data.token, 'base64').toString()]), [['old', OLD_CANARY], ['s1', CANARY]]);
    const watch = await fetch(`${t!.server.url}${SECRETS}?watch=1&resourceVersion=${list.body.metadata.resourceVersion}`);
    const reader = watch.body!.getReader();
    assert.equal((await api(t!.server, 'POST', SECRETS, secret('s2', `${CANARY}-2`))).status, 201);
    let line = '';
    while (!line.includes('\n')) line += Buffer.from((await reader.read()).value!).toString('utf8');
    await reader.cancel();
    const event = JSON.parse(line.split('\n')[0]!) as Json;
    assert.equal(event.type, 'ADDED');
    assert.equal(Buffer.from(event.object.data.token, 'base64').toString(), `${CANARY}-2`);
    // Only secrets are listed: a ConfigMap stays plaintext.
    const cm = await api(t!.server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'plain' }, data: { k: CANARY } });
    assert.equal(cm.status, 201);
    const cmValue = stored(etcd, '/registry/configmaps/default/plain');
    assert.equal(cmValue.subarray(0, 4).toString('latin1'), 'k8s\0');
    assert.ok(cmValue.includes(CANARY));
  });

  it('a value no provider reads is a 500 InternalError in upstream wording, and the server goes on', async () => {
    etcdctl(etcd, 'put', '/registry/secrets/default/forged', 'k8s:enc:aesgcm:v1:key9:0123456789abcdef0123456789abcdef');
    const res = await api(t!.server, 'GET', `${SECRETS}/forged`);
    assert.equal(res.status, 500);
    assert.equal(res.body.reason, 'InternalError');
    assert.equal(res.body.message, 'Internal error occurred: no matching key was found for the provided AES transformer');
    etcdctl(etcd, 'put', '/registry/secrets/default/forged', 'k8s:enc:kms:v2:plugin:abc');
    const other = await api(t!.server, 'GET', `${SECRETS}/forged`);
    assert.equal(other.status, 500);
    assert.equal(other.body.message, 'Internal error occurred: no matching prefix found');
    etcdctl(etcd, 'del', '/registry/secrets/default/forged');
    assert.equal(await token('s1'), CANARY);
  });

  it('rotation: new key first, the documented rewrite with kubectl, then only the new key', async () => {
    await restart(configFile('key2-key1.json', [{ aesgcm: { keys: [{ name: 'key2', secret: KEY2 }, { name: 'key1', secret: KEY1 }] } }, { identity: {} }]));
    assert.equal(await token('s1'), CANARY);
    assert.equal(await token('old'), OLD_CANARY);
    assert.match(stored(etcd, '/registry/secrets/default/s1').toString('latin1'), /^k8s:enc:aesgcm:v1:key1:/);
    // kubectl get secrets --all-namespaces -o json | kubectl replace -f -
    const all = await kubectl(['get', 'secrets', '--all-namespaces', '-o', 'json']);
    assert.match(await kubectl(['replace', '-f', '-'], all), /secret\/s1 replaced/);
    const keys = secretKeys(etcd);
    assert.deepEqual(keys, ['/registry/secrets/default/old', '/registry/secrets/default/s1', '/registry/secrets/default/s2']);
    for (const key of keys) assert.match(stored(etcd, key).toString('latin1'), /^k8s:enc:aesgcm:v1:key2:/, key);
    assert.ok(!stored(etcd, '/registry/secrets/default/old').includes(OLD_CANARY), 'the old plaintext Secret is encrypted now');

    await restart(configFile('key2.json', [{ aesgcm: { keys: [{ name: 'key2', secret: KEY2 }] } }]));
    assert.equal(await token('s1'), CANARY);
    assert.equal(await token('s2'), `${CANARY}-2`);
    assert.equal(await token('old'), OLD_CANARY);
    const names = (await kubectl(['get', 'secrets', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
    assert.deepEqual(names, ['old', 's1', 's2']);
  });

  it('a StorageVersionMigration re-encrypts unchanged objects (stale values are rewritten by no-op updates)', async () => {
    await restart(configFile('secretbox-key2.json', [{ secretbox: { keys: [{ name: 'box', secret: KEY3 }] } }, { aesgcm: { keys: [{ name: 'key2', secret: KEY2 }] } }]));
    const before = JSON.parse(etcdctl(etcd, 'get', '-w', 'json', '/registry/secrets/default/s1').toString()) as Json;
    const svm = { apiVersion: 'storagemigration.k8s.io/v1alpha1', kind: 'StorageVersionMigration', metadata: { name: 'secrets' }, spec: { resource: { group: '', version: 'v1', resource: 'secrets' } } };
    assert.equal((await api(t!.server, 'POST', '/apis/storagemigration.k8s.io/v1alpha1/storageversionmigrations', svm)).status, 201);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await api(t!.server, 'GET', '/apis/storagemigration.k8s.io/v1alpha1/storageversionmigrations/secrets');
      const conditions = (res.body.status?.conditions ?? []) as Json[];
      if (conditions.some((c) => c.type === 'Succeeded' && c.status === 'True')) break;
      assert.ok(!conditions.some((c) => c.type === 'Failed' && c.status === 'True'), JSON.stringify(res.body.status));
      assert.ok(Date.now() < deadline, 'the migration did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const key of secretKeys(etcd)) assert.match(stored(etcd, key).toString('latin1'), /^k8s:enc:secretbox:v1:box:/, key);
    const after = JSON.parse(etcdctl(etcd, 'get', '-w', 'json', '/registry/secrets/default/s1').toString()) as Json;
    assert.ok(after.kvs[0].mod_revision > before.kvs[0].mod_revision, 'rewritten');
    assert.equal(await token('s1'), CANARY);
    // Current values are left alone by a second migration.
    const svm2 = { ...svm, metadata: { name: 'secrets-again' } };
    assert.equal((await api(t!.server, 'POST', '/apis/storagemigration.k8s.io/v1alpha1/storageversionmigrations', svm2)).status, 201);
    const until = Date.now() + 20_000;
    for (;;) {
      const res = await api(t!.server, 'GET', '/apis/storagemigration.k8s.io/v1alpha1/storageversionmigrations/secrets-again');
      if (((res.body.status?.conditions ?? []) as Json[]).some((c) => c.type === 'Succeeded' && c.status === 'True')) break;
      assert.ok(Date.now() < until, 'the second migration did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    const unchanged = JSON.parse(etcdctl(etcd, 'get', '-w', 'json', '/registry/secrets/default/s1').toString()) as Json;
    assert.equal(unchanged.kvs[0].mod_revision, after.kvs[0].mod_revision);
  });

  it('a bad configuration file stops the start with one line in upstream wording', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: k\n              secret: c2hvcnQ=\n`);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cmd/wheelhouse.ts', '--data-dir', join(dir, 'bad-data'), '--port', '0', '--grpc-port', '0', '--encryption-provider-config', bad],
      { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, timeout: 60_000 },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stderr,
      'wheelhouse: error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of [16 24 32]\n',
    );
    assert.equal(existsSync(join(dir, 'bad-data')), false, 'nothing was made before the configuration was read');
    const missing = join(dir, 'missing.yaml');
    const none = spawnSync(process.execPath, ['--import', 'tsx', 'src/cmd/wheelhouse.ts', '--data-dir', join(dir, 'bad-data'), '--encryption-provider-config', missing], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
      timeout: 60_000,
    });
    assert.equal(none.status, 1, none.stderr);
    assert.equal(none.stderr, `wheelhouse: error while loading file: error reading encryption provider configuration file "${missing}": ENOENT: no such file or directory, open '${missing}'\n`);
  });
});
