import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClientset } from '../helpers/clientset.js';
import { Informer, StatusError, type Clientset } from '../../src/client/index.js';

let s: TestServer;
let cs: Clientset;
before(async () => {
  s = await startTestServer();
  cs = testClientset(s.server);
});
after(async () => {
  cs.close();
  await s.stop();
});

test('smoke', async () => {
  const cms = cs.coreV1.configMaps.in('default');
  const created = await cms.create({ metadata: { name: 'a' }, data: { x: '1' } });
  assert.equal(created.metadata?.name, 'a');
  const got = await cms.get('a');
  assert.deepEqual(got.data, { x: '1' });
  await assert.rejects(cms.get('nope'), (e: unknown) => e instanceof StatusError && e.reason === 'NotFound' && e.code === 404 && e.message === 'configmaps "nope" not found');
  for (let i = 0; i < 7; i++) await cms.create({ metadata: { name: `p${i}` } });
  const page = await cms.list({ limit: 3 });
  assert.equal(page.items.length, 3);
  const all = await cms.list();
  assert.ok(all.items.length >= 8);
  const inf = new Informer(cms);
  const ac = new AbortController();
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(`add:${o.metadata?.name}`), onUpdate: (_o, n) => seen.push(`upd:${n.metadata?.name}`), onDelete: (o) => seen.push(`del:${o.metadata?.name}`) });
  inf.start(ac.signal);
  await inf.waitForSync();
  await cms.patch('a', 'merge', { data: { x: '2' } });
  await cms.delete('p0');
  const t0 = Date.now();
  while (!seen.includes('del:p0') && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.slice(-2), ['upd:a', 'del:p0']);
  const lease = await cs.coordinationV1.leases.create({ metadata: { name: 'l', namespace: 'default' }, spec: { holderIdentity: 'x' } });
  assert.equal(lease.spec?.holderIdentity, 'x');
  ac.abort();
});
