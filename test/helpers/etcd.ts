/**
 * Spawns a throwaway single-member etcd (Debian etcd-server 3.4) on free
 * loopback ports with a temporary data directory, for storage tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A running test etcd. */
export interface EtcdInstance {
  /** Client URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  dataDir: string;
  /** Graceful stop (SIGTERM) and removal of the data directory. */
  stop(): Promise<void>;
  /** SIGKILL without cleanup of the data directory (see `restart`). */
  kill9(): Promise<void>;
  /** Start etcd again on the same ports and data directory (after kill9). */
  restart(): Promise<void>;
  /** Sends a signal to the running etcd (SIGSTOP freezes it, SIGCONT resumes it). */
  signal(sig: NodeJS.Signals): void;
}

/** Path of the etcd binary: `/usr/bin/etcd` or the first `etcd` on PATH; undefined when missing. */
export function findEtcd(): string | undefined {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitHealthy(endpoint: string, child: ChildProcess, stderr: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy in ${timeoutMs}ms: ${stderr()}`);
}

/** Start etcd; throws when the binary is missing (use {@link findEtcd} to check first). */
export async function startEtcd(): Promise<EtcdInstance> {
  const bin = findEtcd();
  if (!bin) throw new Error('etcd binary not found (install Debian etcd-server or put etcd on PATH)');
  const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'wheelhouse-test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `wheelhouse-test=${peer}`,
    '--logger', 'zap',
    '--log-level', 'error',
  ];

  let child: ChildProcess;
  let errText = '';
  let stopped = false;
  const launch = async () => {
    if (stopped) throw new Error('etcd test instance was already stopped');
    errText = '';
    const c = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    running.add(c);
    c.once('exit', () => running.delete(c));
    c.stderr?.on('data', (d: Buffer) => {
      errText = (errText + d.toString()).slice(-4000);
    });
    await waitHealthy(endpoint, c, () => errText);
  };
  try {
    await launch();
  } catch (err) {
    child!.kill('SIGKILL');
    await waitExit(child!);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    endpoint,
    dataDir,
    async stop() {
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await waitExit(child);
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
    async kill9() {
      child.kill('SIGKILL');
      await waitExit(child);
    },
    async restart() {
      await launch();
    },
    signal(sig) {
      child.kill(sig);
    },
  };
}
