import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { secrets } from '../../src/registry/core/secrets.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('secrets', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(secrets);
  });
  afterEach(() => h.close());

  it('has no short names', () => {
    assert.equal(secrets.shortNames, undefined);
    assert.equal(storageView(secrets).typeName, 'k8s.io.api.core.v1.Secret');
  });

  it('merges stringData into data, drops it and defaults the type', async () => {
    const s = await h.store.create('default', { metadata: { name: 's' }, data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new' } }, {});
    assert.deepEqual(s.data, { a: b64('new'), b: b64('keep') });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
  });

  it('validates keys with the data[key] path', async () => {
    await rejectsInvalid(
      h.store.create('default', { metadata: { name: 's' }, stringData: { 'bad key': 'x' } }, {}),
      `Secret "s" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });

  it('requires the keys of typed secrets', async () => {
    await rejectsInvalid(
      h.store.create('default', { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, {}),
      'Secret "tls" is invalid: data[tls.key]: Required value',
    );
    await rejectsInvalid(
      h.store.create('default', { metadata: { name: 'sa' }, type: 'kubernetes.io/service-account-token' }, {}),
      'Secret "sa" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value',
    );
  });

  it('rejects more than 1MiB of data', async () => {
    await rejectsInvalid(
      h.store.create('default', { metadata: { name: 'big' }, stringData: { a: 'x'.repeat(1024 * 1024 + 1) } }, {}),
      'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes',
    );
  });

  it('keeps type immutable', async () => {
    await h.store.create('default', { metadata: { name: 's' }, stringData: { a: 'b' } }, {});
    await rejectsInvalid(
      h.store.update('default', 's', (cur) => ({ ...cur, type: 'kubernetes.io/basic-auth', data: { username: b64('u') } }), { target: 'main' }),
      'Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    );
    // An update that omits the type gets the default and is accepted.
    const same = await h.store.update('default', 's', (cur) => ({ metadata: cur.metadata, stringData: { a: 'c' } }), { target: 'main' });
    assert.deepEqual(same.data, { a: b64('c') });
  });

  it('keeps immutable secrets unchanged', async () => {
    await h.store.create('default', { metadata: { name: 'i' }, immutable: true, stringData: { a: 'b' } }, {});
    await rejectsInvalid(
      h.store.update('default', 'i', (cur) => ({ ...cur, immutable: false, stringData: { a: 'z' } }), { target: 'main' }),
      'Secret "i" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]',
    );
  });
});
