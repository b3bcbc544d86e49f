/** Runs `npm start` as a child process, as a user would, and reads where it serves. */
import { spawn, type ChildProcess } from 'node:child_process';
import { seedTestPki } from './server.js';

/** A server running as a separate process. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  grpcAddress: string;
  output: () => string;
  /** SIGKILL, and wait for exit. */
  kill9(): Promise<void>;
  /** SIGTERM, and wait for exit. */
  stop(): Promise<void>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Starts `npm start -- ARGS` and resolves once it prints its addresses. A `--data-dir` is
 * seeded with the test CA first (see seedTestPki), so the tests' fetch trusts the server.
 */
export async function startServerProcess(args: string[], timeoutMs = 60_000): Promise<ServerProcess> {
  const dir = args.indexOf('--data-dir');
  if (dir >= 0 && args[dir + 1] && !args.includes('--plain-http')) await seedTestPki(args[dir + 1] as string);
  return spawnServer(args, timeoutMs);
}

function spawnServer(args: string[], timeoutMs: number): Promise<ServerProcess> {
  const child = spawn('npm', ['start', '--silent', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup('SIGKILL');
      reject(new Error(`server did not start in time; output:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const http = /HTTP API:\s+(https?:\/\/\S+)/.exec(out);
      const grpc = /gRPC:\s+(\S+)/.exec(out);
      if (http?.[1] && grpc?.[1]) {
        clearTimeout(timer);
        resolve({
          child,
          url: http[1],
          grpcAddress: grpc[1],
          output: () => out,
          async kill9() {
            killGroup('SIGKILL');
            await exited;
          },
          async stop() {
            killGroup('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; output:\n${out}`));
    });
  });
}
