/** Hostile query strings: every bad parameter is a 400 Status naming it; nothing reaches storage as a 500. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertHealthy, assertStatus, request } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';

describe('robustness: query parameters', () => {
  let t: TestServer;
  const get = (query: string) => request(t.server, 'GET', `${CM}?${query}`);
  before(async () => {
    t = await startTestServer();
    for (const name of ['a', 'b', 'c']) {
      const r = await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name, labels: { app: name } } }));
      assert.equal(r.status, 201);
    }
  });
  after(async () => {
    await assertHealthy(t.server);
    await t.stop();
  });

  it('400s integers that are not integers, with strconv wording', async () => {
    for (const [key, value] of [['limit', 'abc'], ['limit', '1.5'], ['limit', '1e3'], ['limit', ''], ['timeoutSeconds', 'x'], ['limit', '0x10']] as const) {
      if (value === '') continue; // an empty value means "not given"
      const r = await get(`${key}=${encodeURIComponent(value)}${key === 'timeoutSeconds' ? '&watch=1' : ''}`);
      assertStatus(r, 400, 'BadRequest', `invalid ${key} parameter: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
    }
    assert.equal((await get('limit=')).status, 200);
    const grace = await request(t.server, 'DELETE', `${CM}/a?gracePeriodSeconds=soon`);
    assertStatus(grace, 400, 'BadRequest', 'invalid gracePeriodSeconds parameter: strconv.ParseInt: parsing "soon": invalid syntax');
  });

  it('400s a limit beyond int64 and serves the largest int64 as "everything"', async () => {
    const huge = '99999999999999999999999';
    assertStatus(await get(`limit=${huge}`), 400, 'BadRequest', `invalid limit parameter: strconv.ParseInt: parsing "${huge}": value out of range`);
    const max = await get('limit=9223372036854775807');
    assert.equal(max.status, 200);
    assert.deepEqual(max.body.items.map((i: any) => i.metadata.name), ['a', 'b', 'c']);
    assert.equal(max.body.metadata.continue, undefined);
    const big = await get('limit=4294967296');
    assert.equal(big.status, 200);
    assert.equal(big.body.items.length, 3);
  });

  it('400s a negative limit', async () => {
    assertStatus(await get('limit=-1'), 400, 'BadRequest', 'limit must be a non-negative integer, got -1');
  });

  it('400s booleans Go would not parse', async () => {
    assertStatus(await get('watch=maybe'), 400, 'BadRequest', 'invalid watch parameter: strconv.ParseBool: parsing "maybe": invalid syntax');
    assertStatus(await get('watch=1&allowWatchBookmarks=yes'), 400, 'BadRequest', 'invalid allowWatchBookmarks parameter: strconv.ParseBool: parsing "yes": invalid syntax');
    const list = await get('watch=false');
    assert.equal(list.status, 200);
    assert.equal(list.body.kind, 'ConfigMapList');
  });

  it('400s malformed continue tokens', async () => {
    for (const token of ['garbage', '!!!!', Buffer.from('{"v":"x"}').toString('base64'), Buffer.from('[]').toString('base64'), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ']) {
      assertStatus(await get(`limit=1&continue=${encodeURIComponent(token)}`), 400, 'BadRequest', /^invalid continue token: continue key is not valid: /);
    }
    const page = await get('limit=1');
    assert.equal(page.status, 200);
    const next = await get(`limit=1&continue=${encodeURIComponent(page.body.metadata.continue)}`);
    assert.deepEqual(next.body.items.map((i: any) => i.metadata.name), ['b']);
  });

  it('400s label and field selectors that do not parse or name unsupported fields', async () => {
    assertStatus(await get(`labelSelector=${encodeURIComponent('a in (b')}`), 400, 'BadRequest', "unable to parse requirement: found '', expected: ')'");
    assertStatus(await get(`labelSelector=${encodeURIComponent('!!!==')}`), 400, 'BadRequest', "unable to parse requirement: found '!', expected: identifier after '!'");
    assertStatus(await get(`fieldSelector=${encodeURIComponent('spec.nope=x')}`), 400, 'BadRequest', 'field label not supported: spec.nope');
    assertStatus(await get(`fieldSelector=${encodeURIComponent('===')}`), 400, 'BadRequest', /^field label not supported: |^invalid selector/);
    for (const sel of ['a in (b', '===', '\u0000', '%zz', 'x'.repeat(10000)]) {
      const r = await get(`labelSelector=${encodeURIComponent(sel)}&watch=1&timeoutSeconds=1`);
      assert.ok(r.status === 400 || r.status === 200, `labelSelector ${JSON.stringify(sel.slice(0, 10))}: ${r.status}`);
    }
    const ok = await get(`labelSelector=${encodeURIComponent('app in (a,b)')}`);
    assert.deepEqual(ok.body.items.map((i: any) => i.metadata.name), ['a', 'b']);
  });

  it('400s a malformed resourceVersion before any watch starts', async () => {
    const field = 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax';
    assertStatus(await get('watch=1&resourceVersion=abc'), 400, 'BadRequest', field);
    assertStatus(await get('resourceVersion=abc'), 400, 'BadRequest', `invalid resource version: ${field}`);
  });

  it('reads a repeated scalar parameter by its first value, as upstream', async () => {
    assertStatus(await get('limit=abc&limit=1'), 400, 'BadRequest', 'invalid limit parameter: strconv.ParseInt: parsing "abc": invalid syntax');
    const firstWins = await get('limit=1&limit=abc');
    assert.equal(firstWins.status, 200);
    assert.equal(firstWins.body.items.length, 1);
    const selectors = await get(`labelSelector=app%3Da&labelSelector=${encodeURIComponent('(((')}`);
    assert.deepEqual(selectors.body.items.map((i: any) => i.metadata.name), ['a']);
    assertStatus(await get('watch=maybe&watch=true'), 400, 'BadRequest', 'invalid watch parameter: strconv.ParseBool: parsing "maybe": invalid syntax');
  });

  it('ignores unknown parameters and survives odd query syntax', async () => {
    for (const q of ['bogus=1', 'a[b]=c', '&&&', '=x', 'limit', '%zz=%zz', `x=${'y'.repeat(8000)}`]) {
      const r = await get(q);
      assert.equal(r.status, 200, `${q.slice(0, 20)}: ${r.text.slice(0, 200)}`);
      assert.equal(r.body.items.length, 3);
    }
  });
});
