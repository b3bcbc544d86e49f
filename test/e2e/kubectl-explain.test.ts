/**
 * `kubectl explain` (1.33, OpenAPI v3) over the whole default catalogue: every resource
 * version the server serves by default has a DESCRIPTION, and so does each of its kind's
 * top-level fields (the text comes from scripts/descriptions/*.json and the protos'
 * comments). A few descriptions are compared exactly with the data file they come from, so
 * the path data → proto comment → OpenAPI → kubectl is proven end to end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;
const POOL = 6;

/** One data file of scripts/descriptions/. */
const descriptions = (file: string): Record<string, Record<string, string>> =>
  JSON.parse(readFileSync(new URL(`../../scripts/descriptions/${file}`, import.meta.url), 'utf8'));

/** The FIELDS of `kubectl explain` output: each field name with its description text. */
function explainFields(out: string): Map<string, string> {
  const fields = new Map<string, string>();
  const section = out.split(/^FIELDS:$/m)[1] ?? '';
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const field = /^  (\S+)\t?\s*<[^>]*>/.exec(line);
    if (field) {
      current = field[1]!;
      fields.set(current, '');
    } else if (current !== undefined && line.startsWith('    ')) {
      fields.set(current, `${fields.get(current)} ${line.trim()}`.trim());
    }
  }
  return fields;
}

/** The DESCRIPTION paragraph of `kubectl explain` output, joined into one line. */
function explainDescription(out: string): string {
  const section = /(?:^|\n)DESCRIPTION:\n([\s\S]*?)(?:\n(?:FIELDS|ENUM):|$)/.exec(out)?.[1] ?? '';
  return section
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Runs `task` over `items` with at most `size` running at once. */
async function pool<T, R>(items: T[], size: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]!);
      }
    }),
  );
  return results;
}

describe('kubectl 1.33 explain', () => {
  let ts: TestServer;
  const explain = async (args: string[]) => {
    const r = await runKubectl(MINOR, ts.server.kubeconfigPath, ['explain', ...args]);
    assert.equal(r.code, 0, `kubectl explain ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('describes every kind served by default and each of its top-level fields', async (t) => {
    // Every group version of discovery, and every resource it serves (subresources aside).
    const targets: Array<{ resource: string; groupVersion: string }> = [];
    const core = await api(ts.server, 'GET', '/api/v1');
    const groups = await api(ts.server, 'GET', '/apis');
    const lists = [core.body, ...(await Promise.all(
      groups.body.groups.flatMap((g: { versions: Array<{ groupVersion: string }> }) =>
        g.versions.map(async (v) => (await api(ts.server, 'GET', `/apis/${v.groupVersion}`)).body),
      ),
    ))];
    for (const list of lists) {
      for (const r of list.resources as Array<{ name: string }>) {
        if (!r.name.includes('/')) targets.push({ resource: r.name, groupVersion: list.groupVersion });
      }
    }
    assert.ok(targets.length >= 50, `only ${targets.length} resource versions in discovery`);

    const problems: string[] = [];
    await pool(targets, POOL, async ({ resource, groupVersion }) => {
      const out = await explain([resource, `--api-version=${groupVersion}`]);
      const where = `${groupVersion} ${resource}`;
      const description = explainDescription(out);
      if (!description || description === '<no description>' || description === '<empty>') problems.push(`${where}: no description`);
      const fields = explainFields(out);
      if (fields.size === 0) problems.push(`${where}: no fields`);
      for (const [field, text] of fields) {
        if (!text || text === '<no description>' || text === '<empty>') problems.push(`${where}.${field}: no description`);
      }
    });
    t.diagnostic(`explained ${targets.length} resource versions`);
    assert.deepEqual(problems.sort(), []);
  });

  it('prints the data files’ descriptions as written', async () => {
    const apps = descriptions('apps-v1.json');
    const storage = descriptions('storage-v1.json');
    const networking = descriptions('networking-v1.json');
    const autoscaling = descriptions('autoscaling-v2.json');
    const cases: Array<{ args: string[]; expected: string }> = [
      { args: ['statefulsets.spec.serviceName'], expected: apps['k8s.io.api.apps.v1.StatefulSetSpec']!.serviceName! },
      { args: ['storageclasses.reclaimPolicy'], expected: storage['k8s.io.api.storage.v1.StorageClass']!.reclaimPolicy! },
      { args: ['ingresses.spec.rules.http.paths.pathType'], expected: networking['k8s.io.api.networking.v1.HTTPIngressPath']!.pathType! },
      { args: ['horizontalpodautoscalers'], expected: autoscaling['k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler']!['']! },
    ];
    for (const { args, expected } of cases) {
      assert.ok(expected, `${args.join(' ')}: no description in the data file`);
      assert.equal(explainDescription(await explain(args)), expected, `kubectl explain ${args.join(' ')}`);
    }
  });
});
