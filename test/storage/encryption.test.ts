/**
 * Encryption at rest in the storage layer: each provider's value format (upstream's
 * prefixes, nonce and IV sizes), round trips, upstream's read errors, staleness (a value
 * read with a non-first provider or key), the configuration file's validation wording and
 * resource matching, and the object store comparing plaintexts for no-op updates while
 * rewriting stale values.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { secretbox } from '@noble/ciphers/salsa.js';
import { createMemoryBackend, createObjectStore, jsonCodec, StorageError, withValueTransformer } from '../../src/storage/index.js';
import {
  encryptionTransformers,
  parseEncryptionConfiguration,
  type EncryptionTransformers,
  type ValueTransformer,
} from '../../src/storage/value/index.js';

const KEY1 = Buffer.alloc(32, 1).toString('base64');
const KEY2 = Buffer.alloc(32, 2).toString('base64');
const KEY16 = Buffer.alloc(16, 3).toString('base64');
const STORAGE_KEY = '/registry/secrets/default/s1';
const PLAIN = Buffer.from('{"kind":"Secret","data":{"a":"Y2FuYXJ5"}}\n');

function config(providers: unknown[], resources = ['secrets']): EncryptionTransformers {
  const text = JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources, providers }] });
  return encryptionTransformers(parseEncryptionConfiguration(text, 'enc.json'));
}
const keys = (...ks: [string, string][]) => ({ keys: ks.map(([name, secret]) => ({ name, secret })) });
const secrets = (c: EncryptionTransformers): ValueTransformer => c.transformerFor('', 'secrets');
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function readError(t: ValueTransformer, data: Uint8Array, key = STORAGE_KEY): string {
  try {
    t.fromStorage(data, key);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the value was read');
}

describe('providers: value format and round trip', () => {
  it('aesgcm: prefix with the key name, 12-byte nonce, 16-byte tag, bound to the storage key', () => {
    const t = secrets(config([{ aesgcm: keys(['key1', KEY1]) }, { identity: {} }]));
    const stored = t.toStorage(PLAIN, STORAGE_KEY);
    const prefix = 'k8s:enc:aesgcm:v1:key1:';
    assert.equal(text(stored.subarray(0, prefix.length)), prefix);
    assert.equal(stored.byteLength, prefix.length + 12 + PLAIN.byteLength + 16);
    assert.ok(!text(stored).includes('Y2FuYXJ5'));
    assert.deepEqual(t.fromStorage(stored, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: false });
    // Random nonces: the same value encrypts differently each time.
    assert.notDeepEqual(t.toStorage(PLAIN, STORAGE_KEY), stored);
    // The key is the additional authenticated data: a value moved to another key does not read.
    assert.equal(readError(t, stored, '/registry/secrets/default/s2'), 'cipher: message authentication failed');
    // A 16-byte key is AES-128.
    const t16 = secrets(config([{ aesgcm: keys(['k', KEY16]) }]));
    assert.deepEqual(t16.fromStorage(t16.toStorage(PLAIN, STORAGE_KEY), STORAGE_KEY).data, Buffer.from(PLAIN));
  });

  it('aescbc: 16-byte IV, PKCS#7 padding, not bound to the key', () => {
    const t = secrets(config([{ aescbc: keys(['key1', KEY1]) }]));
    const stored = t.toStorage(PLAIN, STORAGE_KEY);
    const prefix = 'k8s:enc:aescbc:v1:key1:';
    assert.equal(text(stored.subarray(0, prefix.length)), prefix);
    const padded = (Math.floor(PLAIN.byteLength / 16) + 1) * 16;
    assert.equal(stored.byteLength, prefix.length + 16 + padded);
    assert.deepEqual(t.fromStorage(stored, '/elsewhere').data, Buffer.from(PLAIN));
    const cut = Buffer.concat([Buffer.from(stored.subarray(0, stored.byteLength - 3))]);
    assert.equal(readError(t, cut), 'the stored data is not a multiple of the block size');
    assert.equal(readError(t, Buffer.from(`${prefix}short`)), 'the stored data was shorter than the required size');
  });

  it('secretbox: 24-byte nonce, NaCl box (16-byte tag), tampering detected', () => {
    const t = secrets(config([{ secretbox: keys(['sb', KEY1]) }]));
    const stored = t.toStorage(PLAIN, STORAGE_KEY);
    const prefix = 'k8s:enc:secretbox:v1:sb:';
    assert.equal(text(stored.subarray(0, prefix.length)), prefix);
    assert.equal(stored.byteLength, prefix.length + 24 + 16 + PLAIN.byteLength);
    assert.deepEqual(t.fromStorage(stored, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: false });
    const tampered = Buffer.from(stored);
    tampered[tampered.byteLength - 1]! ^= 1;
    assert.equal(readError(t, tampered), 'output array was not large enough for encryption');
  });

  it("secretbox: NaCl's layout (the tag, then the XSalsa20 stream of NaCl's published test vector)", () => {
    // Key and nonce of the NaCl paper's secretbox example; its ciphertext starts 8e993b9f48681273.
    const key = Buffer.from('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389', 'hex');
    const nonce = Buffer.from('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37', 'hex');
    const message = Buffer.from('be075fc53c81f2d5', 'hex');
    const box = secretbox(new Uint8Array(key), new Uint8Array(nonce)).seal(new Uint8Array(message));
    assert.equal(Buffer.from(box.subarray(16)).toString('hex'), '8e993b9f48681273');
    const t = secrets(config([{ secretbox: keys(['k', key.toString('base64')]) }]));
    const value = Buffer.concat([Buffer.from('k8s:enc:secretbox:v1:k:'), nonce, box]);
    assert.deepEqual(t.fromStorage(value, STORAGE_KEY).data, message);
  });

  it('identity: plaintext written, encrypted data refused', () => {
    const t = secrets(config([{ identity: {} }]));
    assert.deepEqual(t.toStorage(PLAIN, STORAGE_KEY), Buffer.from(PLAIN));
    assert.deepEqual(t.fromStorage(PLAIN, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: false });
    assert.equal(readError(t, Buffer.from('k8s:enc:aesgcm:v1:key1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')), 'no matching prefix found');
    // A resource no entry names is read with the identity check.
    const other = config([{ aesgcm: keys(['key1', KEY1]) }]).transformerFor('', 'configmaps');
    assert.equal(readError(other, Buffer.from('k8s:enc:aesgcm:v1:key1:x')), 'identity transformer tried to read encrypted data');
  });
});

describe('reading with several providers and keys', () => {
  it('upstream errors: unknown key name, unknown provider', () => {
    const t = secrets(config([{ aesgcm: keys(['key1', KEY1]) }, { identity: {} }]));
    const stored = Buffer.from(t.toStorage(PLAIN, STORAGE_KEY));
    const renamed = Buffer.from(text(stored).replace('key1:', 'key9:'), 'latin1');
    assert.equal(readError(t, renamed), 'no matching key was found for the provided AES transformer');
    assert.equal(readError(t, Buffer.from('k8s:enc:kms:v2:p:abc')), 'no matching prefix found');
  });

  it('a value read with a non-first key or provider is stale', () => {
    const old = secrets(config([{ aesgcm: keys(['key1', KEY1]) }]));
    const rotated = secrets(config([{ aesgcm: keys(['key2', KEY2], ['key1', KEY1]) }]));
    const byKey1 = old.toStorage(PLAIN, STORAGE_KEY);
    assert.deepEqual(rotated.fromStorage(byKey1, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: true });
    const byKey2 = rotated.toStorage(PLAIN, STORAGE_KEY);
    assert.match(text(byKey2), /^k8s:enc:aesgcm:v1:key2:/);
    assert.equal(rotated.fromStorage(byKey2, STORAGE_KEY).stale, false);
    // Only key2 left: key1's values no longer read.
    const only2 = secrets(config([{ aesgcm: keys(['key2', KEY2]) }]));
    assert.equal(readError(only2, byKey1), 'no matching key was found for the provided AES transformer');
    // Plaintext under an encrypting first provider is stale (so updates encrypt it)...
    const encrypting = secrets(config([{ aesgcm: keys(['key1', KEY1]) }, { identity: {} }]));
    assert.deepEqual(encrypting.fromStorage(PLAIN, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: true });
    // ...and, identity first (decrypting everything), an encrypted value is stale while plaintext is not.
    const decrypting = secrets(config([{ identity: {} }, { aesgcm: keys(['key1', KEY1]) }]));
    assert.deepEqual(decrypting.fromStorage(byKey1, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: true });
    assert.equal(decrypting.fromStorage(PLAIN, STORAGE_KEY).stale, false);
    // The same provider listed twice with different keys: a failure in the first is not final.
    const twice = secrets(config([{ aesgcm: keys(['key2', KEY2]) }, { aesgcm: keys(['key1', KEY1]) }]));
    assert.deepEqual(twice.fromStorage(byKey1, STORAGE_KEY), { data: Buffer.from(PLAIN), stale: true });
  });
});

describe('the configuration file', () => {
  const parse = (body: string): string => {
    try {
      parseEncryptionConfiguration(body, 'enc.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    assert.fail('the configuration was accepted');
  };
  const yaml = (resources: string): string => `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${resources}`;

  it('reads YAML and matches resources by name, group wildcard and *.*', () => {
    const c = encryptionTransformers(
      parseEncryptionConfiguration(
        yaml(`  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: a\n              secret: ${KEY1}\n  - resources: ["*.apps"]\n    providers:\n      - secretbox:\n          keys: [{name: b, secret: ${KEY2}}]\n  - resources: ["*.*"]\n    providers:\n      - aescbc:\n          keys: [{name: c, secret: ${KEY1}}]\n`),
        'enc.yaml',
      ),
    );
    assert.match(text(c.transformerFor('', 'secrets').toStorage(PLAIN, 'k')), /^k8s:enc:aesgcm:v1:a:/);
    assert.match(text(c.transformerFor('apps', 'deployments').toStorage(PLAIN, 'k')), /^k8s:enc:secretbox:v1:b:/);
    assert.match(text(c.transformerFor('', 'configmaps').toStorage(PLAIN, 'k')), /^k8s:enc:aescbc:v1:c:/);
    assert.equal(c.configures('batch', 'jobs'), true);
    const core = encryptionTransformers(parseEncryptionConfiguration(yaml(`  - resources: ["*."]\n    providers: [{aesgcm: {keys: [{name: a, secret: ${KEY1}}]}}]\n`), 'enc.yaml'));
    assert.equal(core.configures('', 'configmaps'), true);
    assert.equal(core.configures('apps', 'deployments'), false);
  });

  it('validation errors worded as upstream', () => {
    assert.equal(parse(''), 'encryption provider configuration file "enc.yaml" is empty');
    assert.equal(
      parse(yaml(`  - resources: [secrets]\n    providers: [{aesgcm: {keys: [{name: a, secret: c2hvcnQ=}]}}]\n`)),
      'error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of [16 24 32]',
    );
    assert.equal(
      parse(yaml(`  - resources: [secrets]\n    providers: [{secretbox: {keys: [{name: a, secret: ${KEY16}}]}}]\n`)),
      'error while parsing file: resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]',
    );
    assert.equal(
      parse(yaml(`  - resources: [secrets]\n    providers: [{aescbc: {keys: [{name: "", secret: "%%%"}]}}]\n`)),
      'error while parsing file: [resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key, resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded]',
    );
    assert.equal(
      parse(yaml(`  - resources: [secrets]\n    providers: [{aesgcm: {keys: []}, identity: {}}]\n`)),
      'error while parsing file: resources[0].providers[0]: Invalid value: {"aesgcm":{"keys":[]},"identity":{}}: more than one provider specified in a single element, should split into different list elements',
    );
    assert.equal(parse(yaml(`  - resources: [secrets]\n    providers: [{aesgcm: {}}]\n`)), 'error while parsing file: resources[0].providers[0].aesgcm.keys: Required value: at least one keys is required');
    assert.equal(parse(yaml(`  - resources: []\n    providers: [{identity: {}}]\n`)), 'error while parsing file: resources[0].resources: Required value: at least one resources[0].resources is required');
    assert.equal(parse(yaml(`  - resources: [Secrets]\n    providers: [{identity: {}}]\n`)), 'error while parsing file: resources[0].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters');
    assert.equal(
      parse(yaml(`  - resources: [secrets, "*."]\n    providers: [{identity: {}}]\n`)),
      `error while parsing file: resources[0].resources: Invalid value: []string{"secrets", "*."}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`,
    );
    // Masking is found when the transformers are built, as upstream's.
    assert.throws(
      () => encryptionTransformers(parseEncryptionConfiguration(yaml(`  - resources: ["*.*"]\n    providers: [{identity: {}}]\n  - resources: [secrets]\n    providers: [{identity: {}}]\n`), 'enc.yaml')),
      { message: 'error while building transformers: resource "secrets" is masked by earlier rule "*.*"' },
    );
    assert.equal(parse('apiVersion: apiserver.config.k8s.io/v2\nkind: EncryptionConfiguration\n'), 'error while parsing file: error decoding encryption provider configuration file "enc.yaml": no kind "EncryptionConfiguration" is registered for version "apiserver.config.k8s.io/v2" in scheme');
    assert.equal(
      parse(yaml(`  - resources: [secrets]\n    providers: [{identity: {}}]\n    extra: 1\n`)),
      'error while parsing file: error decoding encryption provider configuration file "enc.yaml": strict decoding error: unknown field "resources[0].extra"',
    );
    assert.equal(
      parse(yaml(`  - resources: secrets\n    providers: [{identity: {}}]\n`)),
      'error while parsing file: error decoding encryption provider configuration file "enc.yaml": json: cannot unmarshal string into Go struct field ResourceConfiguration.resources[0].resources of type []string',
    );
  });
});

describe('the object store over encrypted values', () => {
  const secret = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, data });
  const storeWith = (backend: ReturnType<typeof createMemoryBackend>, c: EncryptionTransformers) =>
    createObjectStore(backend, { codec: withValueTransformer(jsonCodec(), (key) => (key.startsWith('/registry/secrets/') ? c.transformerFor('', 'secrets') : c.transformerFor('', 'configmaps'))) });
  const stored = async (backend: ReturnType<typeof createMemoryBackend>, key: string): Promise<string> => text((await backend.get(key)).kv!.value);

  it('writes ciphertext, reads plaintext, compares plaintexts for no-ops and rewrites stale values', async () => {
    const backend = createMemoryBackend();
    const v1 = storeWith(backend, config([{ aesgcm: keys(['key1', KEY1]) }, { identity: {} }]));
    const created = await v1.create(STORAGE_KEY, secret({ a: 'Y2FuYXJ5' }));
    assert.equal(created.metadata?.resourceVersion !== undefined, true);
    assert.match(await stored(backend, STORAGE_KEY), /^k8s:enc:aesgcm:v1:key1:/);
    assert.ok(!(await stored(backend, STORAGE_KEY)).includes('Y2FuYXJ5'));
    assert.deepEqual((await v1.get(STORAGE_KEY)).data, { a: 'Y2FuYXJ5' });
    // Unchanged object, current key: nothing written, although the ciphertext would differ.
    const same = await v1.guaranteedUpdate(STORAGE_KEY, (cur) => cur);
    assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
    // Rotated: the unchanged object is stale, so the same no-op update rewrites it with key2.
    const v2 = storeWith(backend, config([{ aesgcm: keys(['key2', KEY2], ['key1', KEY1]) }]));
    const rewritten = await v2.guaranteedUpdate(STORAGE_KEY, (cur) => cur);
    assert.notEqual(rewritten.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.deepEqual(rewritten.data, { a: 'Y2FuYXJ5' });
    assert.match(await stored(backend, STORAGE_KEY), /^k8s:enc:aesgcm:v1:key2:/);
    const again = await v2.guaranteedUpdate(STORAGE_KEY, (cur) => cur);
    assert.equal(again.metadata?.resourceVersion, rewritten.metadata?.resourceVersion);
    // Only key2 now: reads work; with only key1, the value is a 500-class Internal storage error.
    const only2 = storeWith(backend, config([{ aesgcm: keys(['key2', KEY2]) }]));
    assert.deepEqual((await only2.get(STORAGE_KEY)).data, { a: 'Y2FuYXJ5' });
    assert.deepEqual((await only2.list('/registry/secrets/', {})).items.map((o) => o.data), [{ a: 'Y2FuYXJ5' }]);
    const only1 = storeWith(backend, config([{ aesgcm: keys(['key1', KEY1]) }]));
    await assert.rejects(only1.get(STORAGE_KEY), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'Internal');
      assert.equal(err.message, 'no matching key was found for the provided AES transformer');
      return true;
    });
  });

  it('plaintext written before encryption reads, and an update encrypts it; unlisted resources stay plaintext', async () => {
    const backend = createMemoryBackend();
    const plain = storeWith(backend, config([{ identity: {} }]));
    await plain.create(STORAGE_KEY, secret({ a: 'b2xk' }));
    const cmKey = '/registry/configmaps/default/c1';
    await plain.create(cmKey, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default' }, data: { k: 'visible' } });
    assert.match(await stored(backend, STORAGE_KEY), /^\{/);
    const enc = storeWith(backend, config([{ aesgcm: keys(['key1', KEY1]) }, { identity: {} }]));
    assert.deepEqual((await enc.get(STORAGE_KEY)).data, { a: 'b2xk' });
    await enc.guaranteedUpdate(STORAGE_KEY, (cur) => cur);
    assert.match(await stored(backend, STORAGE_KEY), /^k8s:enc:aesgcm:v1:key1:/);
    await enc.guaranteedUpdate(cmKey, (cur) => ({ ...cur, data: { k: 'still visible' } }));
    assert.match(await stored(backend, cmKey), /still visible/);
  });
});
