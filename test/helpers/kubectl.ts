/**
 * Runs the real, versioned kubectl binaries (kubectl.1.27 … kubectl.1.33 live beside the
 * dispatcher `kubectl` links to) with an isolated HOME and cache dir per invocation.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { LAYER_KUBECTL_MINORS, layerBinary } from './layer-binaries.js';

/** Where the versioned kubectl binaries are, or undefined when kubectl is absent. */
export function kubectlDir(): string | undefined {
  try {
    const path = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    return path ? dirname(realpathSync(path)) : undefined;
  } catch {
    return undefined;
  }
}

/** Path of `kubectl.1.MINOR`; throws when it is missing (tests must not skip in CI). */
export function kubectlBinary(minor: number): string {
  if (LAYER_KUBECTL_MINORS.includes(minor)) return layerBinary(minor, 'kubectl');
  const dir = kubectlDir();
  const bin = dir ? join(dir, `kubectl.1.${minor}`) : '';
  if (!bin || !existsSync(bin)) throw new Error(`kubectl.1.${minor} not found (looked in ${dir ?? 'nowhere: no kubectl on PATH'})`);
  return bin;
}

/** Result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl 1.MINOR with `args` against `kubeconfig`; optional stdin; kills it after timeoutMs. */
export function kubectl(
  minor: number,
  kubeconfig: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; onStdout?: (chunk: string) => void; env?: Record<string, string> } = {},
): { result: Promise<KubectlResult>; kill(): void } {
  const home = mkdtempSync(join(tmpdir(), 'kubectl-home-'));
  const cache = join(home, 'cache');
  const child = spawn(kubectlBinary(minor), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cache}`, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env, HOME: home },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(d.toString());
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const result = new Promise<KubectlResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { result, kill: () => child.kill('SIGINT') };
}

/** Runs kubectl and waits for it. */
export function runKubectl(minor: number, kubeconfig: string, args: string[], stdin?: string): Promise<KubectlResult> {
  return kubectl(minor, kubeconfig, args, stdin === undefined ? {} : { stdin }).result;
}
