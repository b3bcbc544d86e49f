/** Starts a real Wheelhouse server for a test: embedded store in a temp dir, or a real etcd. */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials as grpcChannelCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';

/** A server plus its temp data dir, stopped and cleaned by `stop()`. */
export interface TestServer {
  server: RunningServer;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Access for tests that are not about access control: the server serves TLS as by default
 * (from the test CA, which `npm test` trusts), every request is allowed, and one without
 * credentials runs as system:anonymous; kubectl and the client libraries authenticate with
 * the admin kubeconfig's client certificate. Tests of authentication and authorization pass
 * their own `authorizationMode` and `anonymousAuth`.
 */
export const OPEN_ACCESS: Pick<ServerOptions, 'authorizationMode' | 'anonymousAuth' | 'plainHttp'> = { authorizationMode: 'AlwaysAllow', anonymousAuth: true, plainHttp: false };

/** The same as flags for a server run as a process. */
export const OPEN_ACCESS_FLAGS: readonly string[] = ['--authorization-mode', 'AlwaysAllow', '--anonymous-auth', 'true'];

/** The test suite's CA (`test/fixtures/pki/`): `npm test` trusts it through NODE_EXTRA_CA_CERTS. */
export const TEST_CA_DIR = new URL('../fixtures/pki/', import.meta.url).pathname;

/**
 * Seeds a data directory with the test CA, so the server issues its serving certificate from
 * it and `fetch` in the tests trusts it. A directory that has a CA already keeps it.
 */
export async function seedTestPki(dataDir: string): Promise<void> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(`test servers serve TLS from the test CA: run through \`npm test\`, or set NODE_EXTRA_CA_CERTS=${join(TEST_CA_DIR, 'ca.crt')}`);
  }
  const pki = join(dataDir, 'pki');
  await mkdir(pki, { recursive: true, mode: 0o700 });
  const exists = await stat(join(pki, 'ca.key')).then(() => true, () => false);
  if (exists) return;
  await copyFile(join(TEST_CA_DIR, 'ca.crt'), join(pki, 'ca.crt'));
  await copyFile(join(TEST_CA_DIR, 'ca.key'), join(pki, 'ca.key'));
}

/**
 * gRPC channel credentials for a test server: TLS trusting its CA, with the admin's client
 * certificate (a `system:masters` user) unless `asAdmin` is false; insecure for a plain server.
 */
export function grpcCredentials(server: RunningServer, asAdmin = true): ChannelCredentials {
  if (!server.tls) return grpcChannelCredentials.createInsecure();
  const ca = Buffer.from(server.pki.trustedCaPem);
  return asAdmin
    ? grpcChannelCredentials.createSsl(ca, Buffer.from(server.pki.admin.keyPem), Buffer.from(server.pki.admin.certPem))
    : grpcChannelCredentials.createSsl(ca);
}

/** Starts a server on free ports with a fresh data dir (embedded store unless etcdServers given). */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wheelhouse-test-')));
  if (!(options.plainHttp ?? OPEN_ACCESS.plainHttp)) await seedTestPki(dataDir);
  const server = await startServer({ port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', ...OPEN_ACCESS, ...options, dataDir });
  return {
    server,
    dataDir,
    async stop() {
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch against the server, JSON in and out. */
export async function api(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(server.url + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * `buf curl`'s connection flags and base URL for a test server's gRPC port: TLS trusting the
 * test CA (anonymous, as the test servers allow), or HTTP/2 without TLS on a plain server.
 */
export function bufCurlTarget(server: RunningServer): { flags: string[]; base: string } {
  return server.tls
    ? { flags: ['--cacert', join(TEST_CA_DIR, 'ca.crt')], base: `https://${server.grpcAddress}` }
    : { flags: ['--http2-prior-knowledge'], base: `http://${server.grpcAddress}` };
}

/** gRPC channel credentials trusting the test CA, without a client certificate (a server process's anonymous caller). */
export function testCaChannelCredentials(): ChannelCredentials {
  return grpcChannelCredentials.createSsl(readFileSync(join(TEST_CA_DIR, 'ca.crt')));
}
