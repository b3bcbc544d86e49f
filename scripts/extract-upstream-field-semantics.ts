/**
 * Extracts upstream's list/map/struct semantics from the Go types of k8s.io/api and
 * k8s.io/apimachinery into test/fixtures/upstream-field-semantics.json, which
 * test/machinery/field-semantics.test.ts holds our proto options against.
 *
 * Read per field: the struct tags `patchStrategy` and `patchMergeKey`, and the comment
 * markers `+listType`, `+listMapKey` (repeatable), `+mapType` and a field's own
 * `+structType` (both published as x-kubernetes-map-type on the property). Read per
 * type: `+structType` (published as x-kubernetes-map-type on the definition).
 *
 * Not run by `npm run generate`: rerun by hand after adding messages or moving to a newer
 * upstream. The sources are bare git mirrors (`fetch` github:kubernetes/api and
 * github:kubernetes/apimachinery):
 *
 *   tsx scripts/extract-upstream-field-semantics.ts [API_GIT_DIR] [APIMACHINERY_GIT_DIR]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface FieldSemantics {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
}

interface TypeSemantics {
  structType?: string;
  /** JSON field name → its markers; fields without markers are listed with `{}`. */
  fields: Record<string, FieldSemantics>;
}

interface Source {
  /** Go import path of the package, e.g. k8s.io/api/core/v1. */
  importPath: string;
  repo: string;
  commit: string;
  dir: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiGit = process.argv[2] ?? '/work/.mirror/kubernetes+api/repo';
const machineryGit = process.argv[3] ?? '/work/.mirror/kubernetes+apimachinery/repo';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

function head(dir: string): string {
  return git(dir, 'rev-parse', 'HEAD').trim();
}

/** The last commit where batch/v2alpha1 still existed (upstream removed it in 1.21). */
function beforeRemoval(dir: string, path: string): string {
  const removal = git(dir, 'log', '-1', '--format=%H', '--diff-filter=D', 'HEAD', '--', path).trim();
  return git(dir, 'rev-parse', `${removal}^`).trim();
}

/** The commit of a release tag (v0.33.0: Kubernetes 1.33), for packages HEAD no longer has. */
function release(dir: string, tag: string): string {
  return git(dir, 'rev-parse', `${tag}^{commit}`).trim();
}

function packageSources(): Source[] {
  const apiHead = head(apiGit);
  const machineryHead = head(machineryGit);
  const api = (dir: string, commit = apiHead): Source => ({ importPath: `k8s.io/api/${dir}`, repo: 'kubernetes/api', commit, dir });
  const machinery = (dir: string): Source => ({ importPath: `k8s.io/apimachinery/${dir}`, repo: 'kubernetes/apimachinery', commit: machineryHead, dir });
  return [
    api('core/v1'),
    api('apps/v1'),
    api('autoscaling/v1'),
    api('autoscaling/v2'),
    api('batch/v1'),
    api('batch/v1beta1'),
    api('rbac/v1'),
    api('scheduling/v1'),
    api('coordination/v1'),
    api('policy/v1'),
    api('batch/v2alpha1', beforeRemoval(apiGit, 'batch/v2alpha1/types.go')),
    api('networking/v1'),
    api('discovery/v1'),
    api('node/v1'),
    api('storage/v1'),
    api('policy/v1beta1'),
    api('authentication/v1'),
    api('authorization/v1'),
    api('events/v1'),
    api('certificates/v1'),
    api('admissionregistration/v1'),
    api('admissionregistration/v1beta1'),
    // 1.33's alpha (MutatingAdmissionPolicy), as that release ships it.
    api('admissionregistration/v1alpha1', git(apiGit, 'rev-parse', 'v0.33.0^{commit}').trim()),
    api('storage/v1beta1'),
    api('flowcontrol/v1'),
    api('apiserverinternal/v1alpha1'),
    // Removed upstream after 1.33 (replaced by v1beta1).
    api('storagemigration/v1alpha1', release(apiGit, 'v0.33.0')),
    // resource.k8s.io as 1.33 has it (later releases changed these betas).
    api('resource/v1beta1', release(apiGit, 'v0.33.0')),
    api('resource/v1beta2', release(apiGit, 'v0.33.0')),
    api('resource/v1alpha3', release(apiGit, 'v0.33.0')),
    api('networking/v1beta1'),
    api('storage/v1alpha1'),
    api('coordination/v1beta1'),
    api('coordination/v1alpha2'),
    api('certificates/v1beta1'),
    api('certificates/v1alpha1'),
    // batch/v1 JobSchedulingConfiguration is built from these.
    api('scheduling/v1alpha3'),
    machinery('pkg/apis/meta/v1'),
    machinery('pkg/runtime'),
    machinery('pkg/api/resource'),
  ];
}

/** Hand-written Go files of a package at a commit (generated code and tests skipped). */
function goFiles(gitDir: string, src: Source): string[] {
  const names = git(gitDir, 'ls-tree', '--name-only', `${src.commit}:${src.dir}`)
    .split('\n')
    .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !n.startsWith('zz_generated') && !n.includes('generated'));
  return names.map((n) => git(gitDir, 'show', `${src.commit}:${src.dir}/${n}`));
}

function marker(comments: readonly string[], name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`^\\+${name}=(.+)$`);
  for (const c of comments) {
    const m = re.exec(c);
    if (m) out.push(m[1]!.trim());
  }
  return out;
}

function tag(tags: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tags);
  return m ? m[1] : undefined;
}

/** Parses the struct types of one Go file. */
function parseFile(text: string, into: Record<string, TypeSemantics>): void {
  const lines = text.split('\n');
  let comments: string[] = [];
  let current: TypeSemantics | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('//')) {
      comments.push(line.replace(/^\/\/\s?/, '').trim());
      continue;
    }
    if (line === '') {
      comments = [];
      continue;
    }
    if (!current) {
      const empty = /^type\s+([A-Z]\w*)\s+struct\s*\{\s*\}\s*$/.exec(line);
      const m = empty ?? /^type\s+([A-Z]\w*)\s+struct\s*\{\s*$/.exec(line);
      if (m) {
        current = { fields: {} };
        const structType = marker(comments, 'structType')[0];
        if (structType) current.structType = structType;
        into[m[1]!] = current;
        if (empty) current = undefined;
      }
      comments = [];
      continue;
    }
    if (line === '}') {
      current = undefined;
      comments = [];
      continue;
    }
    const field = /^([A-Z]\w*)?\s*[^`]*`([^`]*)`/.exec(line);
    if (field) {
      const tags = field[2]!;
      const json = tag(tags, 'json');
      const jsonName = json?.split(',')[0];
      if (jsonName && jsonName !== '-') {
        const f: FieldSemantics = {};
        const patchStrategy = tag(tags, 'patchStrategy') ?? marker(comments, 'patchStrategy')[0];
        const patchMergeKey = tag(tags, 'patchMergeKey') ?? marker(comments, 'patchMergeKey')[0];
        const listType = marker(comments, 'listType')[0];
        const listMapKeys = marker(comments, 'listMapKey');
        const mapType = marker(comments, 'mapType')[0] ?? marker(comments, 'structType')[0];
        if (patchStrategy) f.patchStrategy = patchStrategy;
        if (patchMergeKey) f.patchMergeKey = patchMergeKey;
        if (listType) f.listType = listType;
        if (listMapKeys.length > 0) f.listMapKeys = listMapKeys;
        if (mapType) f.mapType = mapType;
        current.fields[jsonName] = f;
      }
    }
    comments = [];
  }
}

function main(): void {
  const sources = packageSources();
  const types: Record<string, TypeSemantics> = {};
  for (const src of sources) {
    const gitDir = src.repo === 'kubernetes/api' ? apiGit : machineryGit;
    const local: Record<string, TypeSemantics> = {};
    for (const text of goFiles(gitDir, src)) parseFile(text, local);
    for (const name of Object.keys(local).sort()) types[`${src.importPath}.${name}`] = local[name]!;
  }
  const out = {
    comment: 'Generated by scripts/extract-upstream-field-semantics.ts from upstream Go types; do not edit by hand.',
    sources: sources.map(({ importPath, repo, commit, dir }) => ({ importPath, repo, commit, dir })),
    types,
  };
  const target = join(root, 'test', 'fixtures', 'upstream-field-semantics.json');
  writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`${target}: ${Object.keys(types).length} types\n`);
}

main();
