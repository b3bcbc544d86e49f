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
  /** The exit code (null when a signal ended it), once it exits. */
  exitCode: Promise<number | null>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Starts `npm start -- ARGS` and resolves once it prints its addresses. A `--data-dir` is
 * seeded with the test CA first (see seedTestPki), so the tests' fetch trusts the server.
 */
export async function startServerProcess(args: string[], timeoutMs = 60_000, opts: { direct?: boolean } = {}): Promise<ServerProcess> {
  const dir = args.indexOf('--data-dir');
  if (dir >= 0 && args[dir + 1] && !args.includes('--plain-http')) await seedTestPki(args[dir + 1] as string);
  return spawnServer(args, timeoutMs, opts.direct ?? false);
}

/**
 * Runs the command line through npm as a user would, or (`direct`) as the one node process
 * `npm start` runs: signals then reach the server itself and its exit code is the process's.
 */
function spawnServer(args: string[], timeoutMs: number, direct: boolean): Promise<ServerProcess> {
  const [command, argv] = direct
    ? [process.execPath, ['--import', 'tsx', 'src/cmd/wheelhouse.ts', ...args]]
    : ['npm', ['start', '--silent', '--', ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exitCode = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const exited = exitCode.then(() => undefined);
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
          exitCode,
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
