/** Starts a real Wheelhouse server for a test: embedded store in a temp dir, or a real etcd. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';

/** A server plus its temp data dir, stopped and cleaned by `stop()`. */
export interface TestServer {
  server: RunningServer;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Access for tests that are not about access control: every request is allowed, and one
 * without credentials runs as system:anonymous. Tests of authentication and authorization
 * pass their own `authorizationMode` and `anonymousAuth`.
 */
export const OPEN_ACCESS: Pick<ServerOptions, 'authorizationMode' | 'anonymousAuth'> = { authorizationMode: 'AlwaysAllow', anonymousAuth: true };

/** The same as flags for a server run as a process. */
export const OPEN_ACCESS_FLAGS: readonly string[] = ['--authorization-mode', 'AlwaysAllow', '--anonymous-auth', 'true'];

/** Starts a server on free ports with a fresh data dir (embedded store unless etcdServers given). */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wheelhouse-test-')));
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
