/**
 * What every benchmark file gets from `bench/run.ts` and what it hands back.
 *
 * A benchmark is one file under `bench/` exporting `async function run(ctx: BenchContext): Promise<Row[]>`,
 * registered by one line in `bench/run.ts`. Each row is one figure; when it has a baseline, the
 * baseline was measured in the same run through the same client library, and the ratio is what
 * the issue's targets are stated against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdInstance } from '../test/helpers/etcd.js';

/** A bound a figure should meet: on the row's value or on its ratio to the baseline. */
export interface Target {
  on: 'value' | 'ratio';
  op: '>=' | '<=';
  bound: number;
}

/** One figure of the run. */
export interface Row {
  /** What was measured, e.g. `create over etcd (HTTP, c=64, 1 KiB)`. */
  metric: string;
  value: number;
  /** Unit of `value` (and of the baseline): `ops/s`, `ms`, `MiB`, `count`, … */
  unit: string;
  /** The same-run baseline this figure is compared with. */
  baseline?: { name: string; value: number };
  /** value ÷ baseline (set by the harness when a baseline is given and no ratio is). */
  ratio?: number;
  /** The issue's target for this figure, when it has one. */
  target?: Target;
}

/** Shared facilities of one bench run. */
export interface BenchContext {
  /** BENCH_QUICK=1: a short smoke run (fewer requests, shorter durations). */
  quick: boolean;
  /** Closed-loop requests per throughput scenario. */
  requests: number;
  /** Concurrent clients per throughput scenario. */
  concurrency: number;
  /** A throwaway etcd, started on first use and stopped at the end of the run. */
  etcd(): Promise<EtcdInstance>;
  /** A fresh temporary directory, removed at the end of the run. */
  tempDir(): Promise<string>;
  /** A server process (`npm start` with `args`), stopped at the end of the run unless stopped before. */
  startServer(args: string[]): Promise<ServerProcess>;
  /** Progress on stderr. */
  log(message: string): void;
}

/** A server process and where it listens. */
export interface ServerProcess {
  url: string;
  grpcAddress: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Builds the run's context; `close()` stops everything it started. */
export function createContext(opts: { quick: boolean; requests: number; concurrency: number }): BenchContext & { close(): Promise<void> } {
  let etcd: Promise<EtcdInstance> | undefined;
  const dirs: string[] = [];
  const servers = new Set<ServerProcess>();
  const ctx: BenchContext & { close(): Promise<void> } = {
    ...opts,
    etcd() {
      etcd ??= startEtcd();
      return etcd;
    },
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
      dirs.push(dir);
      return dir;
    },
    async startServer(args) {
      const dataDir = await ctx.tempDir();
      const server = await startServerProcess(['--data-dir', dataDir, ...args]);
      servers.add(server);
      const stop = server.stop;
      server.stop = async () => {
        servers.delete(server);
        await stop();
      };
      return server;
    },
    log(message) {
      process.stderr.write(`[bench] ${message}\n`);
    },
    async close() {
      for (const s of [...servers]) await s.stop().catch(() => undefined);
      if (etcd) await (await etcd).stop().catch(() => undefined);
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    },
  };
  return ctx;
}

/**
 * Starts the server as its own process (as `npm start` runs it), so the load generator and the
 * server do not share an event loop. BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server there.
 * Clients send no credentials: the server runs with open access (anonymous, AlwaysAllow), so
 * each request still passes authentication and authorization, at their cheapest.
 */
async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', 'src/cmd/wheelhouse.ts', '--port', '0', '--grpc-port', '0', '--compaction-interval', '0', '--authorization-mode', 'AlwaysAllow', '--anonymous-auth', 'true', '--plain-http', ...args],
    { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const http = /HTTP API:\s+(\S+)/.exec(out);
      const grpc = /gRPC:\s+(\S+)/.exec(out);
      if (!http?.[1] || !grpc?.[1]) return;
      resolve({
        url: http[1],
        grpcAddress: grpc[1],
        child,
        async stop() {
          child.removeAllListeners('exit');
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** A keep-alive HTTP client on node:http (far cheaper per request than fetch): the one every HTTP figure uses. */
export function httpClient(maxSockets: number): { send(url: URL, method: string, body?: string, contentType?: string): Promise<{ status: number; text: string }>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(url, method, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { accept: 'application/json' };
        if (body !== undefined) {
          headers['content-type'] = contentType;
          headers['content-length'] = Buffer.byteLength(body);
        }
        const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** A 1 KiB ConfigMap (negative indexes are warm-up objects). */
export function configMap(prefix: string, i: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i < 0 ? `w${-i}` : i}` }, data: { v: 'x'.repeat(1024) } };
}
