/**
 * What every benchmark file gets from `bench/run.ts` and what it hands back.
 *
 * A benchmark is one file under `bench/` exporting `async function run(ctx: BenchContext): Promise<Row[]>`,
 * registered by one line in `bench/run.ts`. Each row is one figure; when it has a baseline, the
 * baseline was measured in the same run through the same client library, and the ratio is what
 * the issue's targets are stated against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as TlsAgent, request as tlsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
  /**
   * A server process (`npm start` with `args`), stopped at the end of the run unless stopped before.
   * It serves without TLS (`--plain-http`) unless `tls`: then the HTTP API and gRPC serve TLS from
   * the data directory's own CA, and `credentials` are the admin kubeconfig's.
   */
  startServer(args: string[], opts?: { tls?: boolean }): Promise<ServerProcess>;
  /** Progress on stderr. */
  log(message: string): void;
}

/** A server process and where it listens. */
export interface ServerProcess {
  url: string;
  grpcAddress: string;
  /** The server's data directory (its kubeconfig is `kubeconfig` there). */
  dataDir: string;
  /** The admin's TLS credentials, on a server started with `tls`. */
  credentials?: TlsCredentials;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** PEM trust and client certificate, as the admin kubeconfig of a TLS server holds them. */
export interface TlsCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** The CA and client certificate of a kubeconfig's current context. */
export async function kubeconfigCredentials(path: string): Promise<TlsCredentials> {
  const doc = parseYaml(await readFile(path, 'utf8')) as {
    'current-context': string;
    contexts: { name: string; context: { cluster: string; user: string } }[];
    clusters: { name: string; cluster: Record<string, string> }[];
    users: { name: string; user: Record<string, string> }[];
  };
  const context = doc.contexts.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users.find((u) => u.name === context?.user)?.user;
  const pem = (data: string | undefined, what: string): string => {
    if (!data) throw new Error(`${path}: no ${what} in the current context`);
    return Buffer.from(data, 'base64').toString('utf8');
  };
  return { caPem: pem(cluster?.['certificate-authority-data'], 'certificate-authority-data'), certPem: pem(user?.['client-certificate-data'], 'client-certificate-data'), keyPem: pem(user?.['client-key-data'], 'client-key-data') };
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
    async startServer(args, opts = {}) {
      const dataDir = await ctx.tempDir();
      const server = await startServerProcess(dataDir, args, opts.tls ?? false);
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
 * The server runs with open access (anonymous, AlwaysAllow), so each request still passes
 * authentication and authorization, at their cheapest; clients of a plain server send no
 * credentials, those of a TLS server the admin's client certificate.
 */
async function startServerProcess(dataDir: string, args: string[], tls: boolean): Promise<ServerProcess> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(
    process.execPath,
    [...prof, '--import', 'tsx', 'src/cmd/wheelhouse.ts', '--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--compaction-interval', '0', '--authorization-mode', 'AlwaysAllow', '--anonymous-auth', 'true', ...(tls ? [] : ['--plain-http']), ...args],
    { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  let listening: { url: string; grpcAddress: string } | undefined;
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (listening) return;
      out += d.toString();
      const http = /HTTP API:\s+(\S+)/.exec(out);
      const grpc = /gRPC:\s+(\S+)/.exec(out);
      if (!http?.[1] || !grpc?.[1]) return;
      listening = { url: http[1], grpcAddress: grpc[1] };
      resolve();
    });
  });
  const credentials = tls
    ? await kubeconfigCredentials(join(dataDir, 'kubeconfig')).catch((err: unknown) => {
        child.removeAllListeners('exit');
        child.kill('SIGTERM');
        throw err;
      })
    : undefined;
  return {
    ...listening!,
    dataDir,
    ...(credentials ? { credentials } : {}),
    child,
    async stop() {
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What `httpClient` gives: requests with the whole body, and streams read chunk by chunk (watches). */
export interface HttpClient {
  send(url: URL, method: string, body?: string, contentType?: string): Promise<{ status: number; text: string }>;
  /**
   * A GET whose body is handed to `onData` as it arrives (a watch); resolves with the response
   * status once the headers are in. `close()` cuts the connection.
   */
  stream(url: URL, onData: (chunk: Buffer) => void): { response: Promise<number>; close(): void };
  close(): void;
}

/**
 * A keep-alive HTTP client on node:http (far cheaper per request than fetch): the one every HTTP
 * figure uses. With `tls` it speaks HTTPS on node:https, trusting `caPem` and presenting the client
 * certificate, each socket kept open as over plain HTTP.
 */
export function httpClient(maxSockets: number, tls?: TlsCredentials): HttpClient {
  const agent = tls ? new TlsAgent({ keepAlive: true, maxSockets, ca: tls.caPem, cert: tls.certPem, key: tls.keyPem }) : new Agent({ keepAlive: true, maxSockets });
  const open = (url: URL, method: string, headers: Record<string, string | number>, onResponse: (res: IncomingMessage) => void): ClientRequest => {
    const options = { host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers };
    return tls ? tlsRequest(options, onResponse) : request(options, onResponse);
  };
  return {
    send(url, method, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { accept: 'application/json' };
        if (body !== undefined) {
          headers['content-type'] = contentType;
          headers['content-length'] = Buffer.byteLength(body);
        }
        const req = open(url, method, headers, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    stream(url, onData) {
      let req: ClientRequest | undefined;
      const response = new Promise<number>((resolve, reject) => {
        req = open(url, 'GET', { accept: 'application/json' }, (res) => {
          res.on('data', onData);
          res.on('error', () => undefined);
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      response.catch(() => undefined);
      return { response, close: () => req?.destroy() };
    },
    close: () => agent.destroy(),
  };
}

/** A 1 KiB ConfigMap (negative indexes are warm-up objects). */
export function configMap(prefix: string, i: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i < 0 ? `w${-i}` : i}` }, data: { v: 'x'.repeat(1024) } };
}
