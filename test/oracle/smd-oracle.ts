/**
 * The structured-merge-diff oracle: `smd/main.go` built with Debian's Go in GOPATH mode
 * against Debian's copy of the library (`golang-k8s-sigs-structured-merge-diff-dev`;
 * `.ci/run` installs both). Built once per machine and content, cached under the temp
 * folder by the hash of the source and the Go version; parallel test files race safely
 * (each builds in its own staging folder, then renames into place).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian installs the library's source (it imports itself as `…/structured-merge-diff/v4`). */
export const SMD_SOURCE = '/usr/share/gocode/src/sigs.k8s.io/structured-merge-diff';
const DEBIAN_GOPATH = '/usr/share/gocode';
const MAIN_GO = join(dirname(fileURLToPath(import.meta.url)), 'smd', 'main.go');

export interface OracleStep {
  readonly op: 'apply' | 'update';
  readonly manager: string;
  readonly object: unknown;
  readonly force?: boolean;
}

export interface OracleCaseInput {
  readonly name: string;
  /** The live object before the first step, owned by no manager; `{}` when absent. */
  readonly initial?: unknown;
  readonly steps: readonly OracleStep[];
}

export interface OracleInput {
  /** The SMD schema, YAML. */
  readonly schema: string;
  readonly typeName: string;
  readonly cases: readonly OracleCaseInput[];
}

export interface StepResult {
  /** The live object after the step. */
  object: unknown;
  /** An apply that changed nothing (the updater returned no object). */
  unchanged: boolean;
  managers: Record<string, { applied: boolean; fieldsV1: unknown }>;
  /** The conflicts a non-forced apply met (sorted by manager, then path), or null. */
  conflicts: { manager: string; path: string }[] | null;
  /**
   * The oracle only: the conflicts as the library's error value holds them. Its paths
   * share a buffer the library reuses (Set.Iterate's paths are not copied into the
   * Conflict), so several conflicts under one list element can all read as the last
   * sibling's path; `conflicts` is the same set recomputed with copied paths.
   */
  conflictsAsReturned?: { manager: string; path: string }[] | null;
  error?: string;
}

export interface CaseResult {
  name: string;
  steps: StepResult[];
  error?: string;
}

function goEnv(gopath: string, gocache: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dirname(gopath),
    GO111MODULE: 'off',
    GOPATH: `${gopath}:${DEBIAN_GOPATH}`,
    GOCACHE: gocache,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '',
    CGO_ENABLED: '0',
  };
}

function goVersion(): string {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GOTOOLCHAIN: 'local' } });
  } catch (err) {
    throw new Error(`the structured-merge-diff oracle needs Go (Debian's golang-go; .ci/run installs it): ${(err as Error).message}`);
  }
}

let built: string | undefined;

/** The oracle binary's path, building it when this machine has no build of this source yet. */
export function smdOracleBinary(): string {
  if (built) return built;
  if (!existsSync(join(SMD_SOURCE, 'merge', 'update.go'))) {
    throw new Error(`structured-merge-diff source not found at ${SMD_SOURCE}: install golang-k8s-sigs-structured-merge-diff-dev (.ci/run does)`);
  }
  const source = readFileSync(MAIN_GO);
  const hash = createHash('sha256').update(source).update(goVersion()).update(readFileSync(join(SMD_SOURCE, 'merge', 'update.go'))).digest('hex').slice(0, 16);
  const root = join(tmpdir(), 'wheelhouse-smd-oracle');
  const target = join(root, hash, 'smd');
  if (existsSync(target)) return (built = target);
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, 'staging-'));
  try {
    const gopath = join(staging, 'gopath');
    // The library imports its own packages by the module path `…/v4`; in GOPATH mode that
    // path must exist, so it links to Debian's copy.
    mkdirSync(join(gopath, 'src', 'sigs.k8s.io', 'structured-merge-diff'), { recursive: true });
    symlinkSync(SMD_SOURCE, join(gopath, 'src', 'sigs.k8s.io', 'structured-merge-diff', 'v4'));
    const out = join(staging, 'out', 'smd');
    try {
      execFileSync('go', ['build', '-o', out, MAIN_GO], {
        cwd: dirname(MAIN_GO),
        env: goEnv(gopath, join(root, 'gocache')),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`building the structured-merge-diff oracle failed: ${e.stderr?.toString() ?? e.message}`);
    }
    mkdirSync(join(root, hash), { recursive: true });
    try {
      renameSync(out, target);
    } catch (err) {
      // Another test file won the race; its binary is the same build.
      if (!existsSync(target)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return (built = target);
}

/** Runs the cases through structured-merge-diff's merge.Updater. */
export function runSmdOracle(input: OracleInput): CaseResult[] {
  const stdout = execFileSync(smdOracleBinary(), [], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { cases: CaseResult[] }).cases;
}
