/**
 * A data directory written by the previous release (JSON values without apiVersion or
 * kind; see test/fixtures/previous-release/README.md) still reads: every object comes
 * back exactly as that release served it, an update rewrites the value in the current
 * format (the protobuf envelope), and the object reads again, also after a restart.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { api, startTestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'previous-release');
const served = JSON.parse(readFileSync(join(FIXTURE, 'objects.json'), 'utf8')) as Record<string, Json>;
const CM = '/api/v1/namespaces/legacy/configmaps/settings';

/** The latest value the embedded store holds for `key`. */
function latestValue(dataDir: string, key: string): Buffer {
  const db = new Database(join(dataDir, 'state.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT value FROM log WHERE key = ? ORDER BY id DESC LIMIT 1').get(key) as { value: Buffer };
    return row.value;
  } finally {
    db.close();
  }
}

describe('a data directory of the previous release', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-previous-'));
  copyFileSync(join(FIXTURE, 'state.db'), join(dataDir, 'state.db'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('holds untyped JSON values (what this test is about)', () => {
    const value = JSON.parse(latestValue(dataDir, '/registry/configmaps/legacy/settings').toString('utf8')) as Json;
    assert.equal(value.apiVersion, undefined);
    assert.equal(value.kind, undefined);
    assert.deepEqual(value.data, { color: 'blue', size: '3' });
  });

  it('reads every object exactly as the previous release served it; an update is stored in the new format', async () => {
    const t = await startTestServer({ dataDir });
    try {
      for (const [path, expected] of Object.entries(served)) {
        const res = await api(t.server, 'GET', path);
        assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(res.body, expected, path);
      }
      const namespaces = await api(t.server, 'GET', '/api/v1/namespaces');
      assert.deepEqual(
        (namespaces.body.items as Json[]).map((n) => n.metadata.name).sort(),
        ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'legacy'],
      );
      const lists = await api(t.server, 'GET', '/apis/apps/v1/namespaces/legacy/deployments');
      assert.deepEqual(lists.body.items, [(({ apiVersion: _a, kind: _k, ...rest }) => rest)(served['/apis/apps/v1/namespaces/legacy/deployments/web']!)]);

      const patched = await api(t.server, 'PATCH', CM, { data: { color: 'green' } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const before = served[CM]!;
      assert.deepEqual(patched.body, {
        ...before,
        metadata: {
          ...before.metadata,
          resourceVersion: patched.body.metadata.resourceVersion,
          // The patch is recorded under the client's User-Agent ("node" for fetch), as upstream.
          managedFields: [
            { manager: 'node', operation: 'Update', apiVersion: 'v1', time: patched.body.metadata.managedFields?.[0]?.time, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:color': {} } } },
          ],
        },
        data: { color: 'green', size: '3' },
      });
      assert.ok(Number(patched.body.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
      const envelope = parseK8sEnvelope(latestValue(dataDir, '/registry/configmaps/legacy/settings'));
      assert.deepEqual([envelope.apiVersion, envelope.kind], ['v1', 'ConfigMap']);
      assert.deepEqual((await api(t.server, 'GET', CM)).body, patched.body);
    } finally {
      await t.stop();
    }

    const again = await startTestServer({ dataDir });
    try {
      const res = await api(again.server, 'GET', CM);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { color: 'green', size: '3' });
      assert.deepEqual(res.body.binaryData, { blob: 'AAEC' });
      assert.deepEqual(res.body.metadata.annotations, served[CM]!.metadata.annotations);
    } finally {
      await again.stop();
    }
  });
});
