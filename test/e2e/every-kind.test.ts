/**
 * The every-kind table (the issue's first acceptance point): for each case file in
 * test/kinds/<group or core>/<resource>.yaml, through kubectl 1.33 against one shared server,
 * create the case's object, read it back with upstream's defaults, find it in the list (table
 * and JSON), replace it with an added annotation, merge-patch it, delete it (then NotFound),
 * and create the case's invalid object, refused with upstream's message.
 *
 * The case files and the served resources must match one to one: a resource discovery lists
 * (core/v1 and each group's preferred version, subresources aside) without a case file fails,
 * and so does a case file naming a resource that is not served.
 *
 * A second pass does the same against a server started with `--runtime-config api/all=true`
 * for every resource version served only there (the betas and alphas upstream keeps off):
 * their case files are test/kinds/<group>/<resource>.<version>.yaml and name the version.
 *
 * Case file fields: resource, group ('' for core), version (only for a version served behind
 * --runtime-config), object, defaults (a subset the object read
 * back contains), patch (a merge patch), invalid: {object, error} (kubectl's stderr contains
 * `error`), and optionally skip: {<step>: why} for steps a kind cannot do (create, read, list,
 * update, patch, invalid, delete), deleteArgs (extra `kubectl delete` arguments) and requires
 * (objects created first, in the same namespace, e.g. the Pod a Binding names). A step whose
 * verb the resource does not serve (discovery's verbs: a read-only or create-only kind) is
 * left out without a skip entry; the api-resources test holds the verbs to upstream's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runKubectl, type KubectlResult } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;
const NAMESPACE = 'every-kind';
const POOL = 6;
const KINDS_DIR = join(import.meta.dirname, '..', 'kinds');
const STEPS = ['create', 'read', 'list', 'update', 'patch', 'invalid', 'delete'] as const;
type Step = (typeof STEPS)[number];

interface KindCase {
  file: string;
  resource: string;
  group: string;
  /** Set only for a version served behind --runtime-config. */
  version?: string;
  object: Record<string, any>;
  defaults?: Record<string, unknown>;
  patch?: Record<string, unknown>;
  invalid?: { object: Record<string, any>; error: string };
  skip?: Partial<Record<Step, string>>;
  deleteArgs?: string[];
  requires?: Record<string, any>[];
}

/** The verb each step needs. */
const STEP_VERB: Record<Step, string> = { create: 'create', read: 'get', list: 'list', update: 'update', patch: 'patch', invalid: 'create', delete: 'delete' };

interface ServedKind {
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

function caseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...caseFiles(path));
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out.sort();
}

function loadCase(path: string): KindCase {
  const file = relative(KINDS_DIR, path);
  const doc = parse(readFileSync(path, 'utf8')) as Partial<KindCase> | null;
  assert.ok(doc && typeof doc === 'object', `${file}: not a YAML mapping`);
  assert.equal(typeof doc.resource, 'string', `${file}: resource`);
  assert.equal(typeof doc.group, 'string', `${file}: group`);
  assert.ok(doc.object && typeof doc.object === 'object', `${file}: object`);
  for (const step of Object.keys(doc.skip ?? {})) assert.ok((STEPS as readonly string[]).includes(step), `${file}: unknown skip step ${step}`);
  if (!doc.skip?.invalid && !doc.skip?.create) assert.ok(doc.invalid?.object && typeof doc.invalid.error === 'string', `${file}: invalid.object and invalid.error`);
  const dirGroup = file.split('/')[0];
  assert.equal(dirGroup, doc.group === '' ? 'core' : doc.group, `${file}: directory names the group`);
  if (doc.version !== undefined) {
    assert.equal(typeof doc.version, 'string', `${file}: version`);
    assert.equal(file.split('/')[1], `${doc.resource}.${doc.version}.yaml`, `${file}: file names the resource and version`);
    assert.equal(doc.object.apiVersion, `${doc.group ? `${doc.group}/` : ''}${doc.version}`, `${file}: object.apiVersion names the version`);
  } else {
    assert.equal(file.split('/')[1], `${doc.resource}.yaml`, `${file}: file names the resource`);
  }
  return { ...(doc as KindCase), file };
}

const ALL_CASES = caseFiles(KINDS_DIR).map(loadCase);
/** Resources served by default (their preferred version). */
const CASES = ALL_CASES.filter((c) => c.version === undefined);
/** Resource versions served only behind --runtime-config. */
const GATED_CASES = ALL_CASES.filter((c) => c.version !== undefined);
/** group/version/resource of everything the default server serves, in every version. */
const DEFAULT_SERVED = new Set<string>();
const gvrKey = (group: string, version: string, resource: string) => `${group || 'core'}/${version}/${resource}`;

/**
 * The path of the first place `actual` does not contain `expected` (objects: every expected
 * key, recursively; arrays: element by element; scalars: equal), or undefined when it does.
 */
export function firstMismatch(expected: unknown, actual: unknown, path = ''): string | undefined {
  const here = path || '.';
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${here}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length < expected.length) return `${here}: expected at least ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = firstMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${here}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const m = firstMismatch(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (m) return m;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${here}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Runs `work` over `items` with at most `size` at a time. */
async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

/**
 * One pass: `gated` false is the default server and the case files without a version; true is a
 * server with every version on, and the case files of what only that server serves.
 */
function everyKind(title: string, gated: boolean, cases: KindCase[]): void {
  describe(title, () => {
    let ts: TestServer;
    /** group/resource (group/version/resource when gated) → what discovery says of it. */
    const served = new Map<string, ServedKind>();
    const key = (group: string, resource: string, version?: string) => (gated ? gvrKey(group, version ?? '', resource) : `${group || 'core'}/${resource}`);

    before(async () => {
      ts = await startTestServer(gated ? { runtimeConfig: 'api/all=true' } : {});
      const note = (group: string, version: string, r: any, preferred: boolean) => {
        if (r.name.includes('/')) return;
        if (!gated) {
          DEFAULT_SERVED.add(gvrKey(group, version, r.name));
          if (preferred) served.set(key(group, r.name), { namespaced: r.namespaced, kind: r.kind, verbs: r.verbs });
        } else if (!DEFAULT_SERVED.has(gvrKey(group, version, r.name))) {
          served.set(key(group, r.name, version), { namespaced: r.namespaced, kind: r.kind, verbs: r.verbs });
        }
      };
      for (const r of (await api(ts.server, 'GET', '/api/v1')).body.resources) note('', 'v1', r, true);
      const groups = await api(ts.server, 'GET', '/apis');
      for (const g of groups.body.groups) {
        for (const v of g.versions) {
          const list = await api(ts.server, 'GET', `/apis/${v.groupVersion}`);
          for (const r of list.body.resources) note(g.name, v.version, r, v.groupVersion === g.preferredVersion.groupVersion);
        }
      }
      const r = await runKubectl(MINOR, ts.server.kubeconfigPath, ['create', 'namespace', NAMESPACE]);
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => {
      await ts?.stop();
    });

    it('has one case file per served resource', (t) => {
      if (gated) assert.ok(DEFAULT_SERVED.size > 0, 'the default pass ran first and noted what it serves');
      const files = new Map(cases.map((c) => [key(c.group, c.resource, c.version), c.file]));
      const missing = [...served.keys()].filter((k) => !files.has(k)).sort();
      const unserved = [...files.entries()].filter(([k]) => !served.has(k)).map(([, f]) => f).sort();
      assert.deepEqual({ missing, unserved }, { missing: [], unserved: [] }, 'served resources without case files / case files for resources not served');
      const message = gated ? `every-kind: ${cases.length} resource versions behind --runtime-config` : `every-kind: ${cases.length} kinds`;
      t.diagnostic(message);
      console.log(message);
    });

    it('creates, reads, lists, replaces, patches, refuses and deletes every kind', async () => {
      const failures: string[] = [];
      // EVERY_KIND_ONLY=core/pods,apps runs only the case files whose path contains one of these (while working on a kind).
      const only = process.env.EVERY_KIND_ONLY?.split(',').filter(Boolean);
      const selected = only ? cases.filter((c) => only.some((o) => c.file.includes(o))) : cases;
      await pool(selected, POOL, async (c) => {
        try {
          await runCase(c);
        } catch (err) {
          failures.push(`${c.file}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
      assert.deepEqual(failures.sort(), []);
    });

    async function runCase(c: KindCase): Promise<void> {
      const info = served.get(key(c.group, c.resource, c.version));
      assert.ok(info, 'not served');
      assert.equal(c.object.kind, info.kind, 'object.kind is not the kind discovery serves');
      const nsArgs = info.namespaced ? ['-n', NAMESPACE] : [];
      // The runner's namespace, whatever a case file says.
      for (const obj of [c.object, c.invalid?.object, ...(c.requires ?? [])]) if (obj?.metadata) delete obj.metadata.namespace;
      // resource.version.group pins the version kubectl uses for a gated case.
      const ref = c.version ? `${c.resource}.${c.version}.${c.group}` : c.group ? `${c.resource}.${c.group}` : c.resource;
      const name: string = c.object.metadata?.name;
      assert.ok(name, 'object.metadata.name');
      const skip: Partial<Record<Step, string>> = { ...c.skip };
      for (const step of STEPS) if (!info.verbs.includes(STEP_VERB[step])) skip[step] ??= `no ${STEP_VERB[step]} verb`;
      const k = (args: string[], stdin?: string): Promise<KubectlResult> => runKubectl(MINOR, ts.server.kubeconfigPath, [...args, ...nsArgs], stdin);
      const ok = async (step: string, args: string[], stdin?: string): Promise<string> => {
        const r = await k(args, stdin);
        assert.equal(r.code, 0, `${step}: kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
        return r.stdout;
      };
      const read = async (step: string) => JSON.parse(await ok(step, ['get', ref, name, '-o', 'json']));
      const contains = (step: string, expected: unknown, actual: unknown) => {
        const m = firstMismatch(expected, actual);
        if (m) throw new Error(`${step}: ${m}`);
      };

      for (const obj of c.requires ?? []) {
        const r = await k(['create', '-f', '-'], JSON.stringify(obj));
        assert.ok(r.code === 0 || r.stderr.includes('(AlreadyExists)'), `requires: ${r.stderr.trim()}`);
      }
      if (!skip.create) await ok('create', ['create', '-f', '-'], JSON.stringify(c.object));
      if (!skip.read) {
        const got = await read('read');
        contains('read', { apiVersion: c.object.apiVersion, kind: c.object.kind, metadata: { name } }, got);
        if (c.defaults) contains('read defaults', c.defaults, got);
      }
      if (!skip.list) {
        // -o wide: events print their name only in the wide columns, as upstream's printer.
        const table = await ok('list', ['get', ref, '--no-headers', '-o', 'wide']);
        assert.ok(
          table.split('\n').some((line) => line.split(/\s+/)[0] === name || line.trimEnd().split(/\s+/).at(-1) === name),
          `list: ${name} not in the table:\n${table}`,
        );
        const list = JSON.parse(await ok('list', ['get', ref, '-o', 'json']));
        assert.ok(
          list.items.some((item: any) => item.metadata?.name === name),
          `list: ${name} not in the JSON list`,
        );
      }
      if (!skip.update) {
        const current = await read('update');
        current.metadata.annotations = { ...current.metadata.annotations, 'every-kind.wheelhouse.dev/replaced': 'yes' };
        await ok('update', ['replace', '-f', '-'], JSON.stringify(current));
        const got = await read('update');
        assert.equal(got.metadata.annotations?.['every-kind.wheelhouse.dev/replaced'], 'yes', 'update: annotation not kept');
      }
      if (!skip.patch && c.patch) {
        await ok('patch', ['patch', ref, name, '--type=merge', '-p', JSON.stringify(c.patch)]);
        contains('patch', c.patch, await read('patch'));
      }
      if (!skip.invalid && c.invalid) {
        const r = await k(['create', '-f', '-'], JSON.stringify(c.invalid.object));
        assert.notEqual(r.code, 0, `invalid: created anyway: ${r.stdout}`);
        assert.ok(r.stderr.includes(c.invalid.error), `invalid: stderr\n  ${r.stderr.trim()}\ndoes not contain\n  ${c.invalid.error}`);
      }
      if (!skip.delete) {
        await ok('delete', ['delete', ref, name, '--wait=false', ...(c.deleteArgs ?? [])]);
        // Finalizers may hold an object a while: a ServiceCIDR keeps its protection for upstream's 10 s grace.
      const deadline = Date.now() + 20_000;
        for (;;) {
          const r = await k(['get', ref, name, '-o', 'name']);
          if (r.code !== 0 && r.stderr.includes('(NotFound)')) break;
          assert.ok(Date.now() < deadline, `delete: still there after 20s: ${r.stdout.trim()} ${r.stderr.trim()}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  });
}

everyKind('every served kind through kubectl 1.33', false, CASES);
everyKind('every resource version behind --runtime-config api/all=true, through kubectl 1.33', true, GATED_CASES);
