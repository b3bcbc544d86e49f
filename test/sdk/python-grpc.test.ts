/**
 * A Python gRPC client generated from proto/ (Debian's protoc, grpc_python_plugin,
 * python3-grpcio and python3-protobuf; `.ci/run` installs them): stubs generated into a temp
 * dir by the README's command, then python/list_watch.py lists and watches ConfigMaps over
 * TLS with the admin's client certificate (see list-watch.ts for the scenario).
 *
 * The Python packages are visible to /usr/bin/python3 only (not to a pyenv `python3` shim on
 * PATH). When a tool is missing the suite fails under CI and is skipped, loudly, elsewhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { generate, PYTHON_COMMAND } from './generate.js';
import { checkListAndWatch, clientArgs, writeClientTlsFiles } from './list-watch.js';

const PYTHON = '/usr/bin/python3';
const PROGRAM = join(dirname(fileURLToPath(import.meta.url)), 'python', 'list_watch.py');

/** Why the Python SDK cannot be generated or run here, or undefined when it can. */
function pythonSdkMissing(): string | undefined {
  try {
    execFileSync('protoc', ['--version'], { stdio: 'ignore' });
    execFileSync('/usr/bin/grpc_python_plugin', [], { stdio: 'ignore', input: '' });
    execFileSync(PYTHON, ['-c', 'import grpc, google.protobuf'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (err) {
    return `protoc, grpc_python_plugin or ${PYTHON} with grpc and protobuf not usable: ${(err as Error).message.split('\n')[0]}`;
  }
}

const missing = pythonSdkMissing();
if (missing && process.env.CI) throw new Error(`${missing} (required in CI: apt-get install protobuf-compiler protobuf-compiler-grpc libprotobuf-dev python3-grpcio python3-protobuf)`);
if (missing) console.warn(`\n*** SKIPPING Python gRPC SDK test: ${missing} ***\n`);

describe('a Python gRPC client generated from proto/', { skip: missing ? `SKIPPED: ${missing}` : false }, () => {
  let ts: TestServer;
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'wheelhouse-sdk-python-'));
    ts = await startTestServer();
  });
  after(async () => {
    await ts?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists ConfigMaps and receives the watch event for one created over HTTP', async () => {
    const stubs = join(work, 'stubs');
    generate(`mkdir -p "$OUT"\n${PYTHON_COMMAND}`, stubs);
    const tls = await writeClientTlsFiles(ts, work);
    await checkListAndWatch(ts, 'sdk-python', () =>
      spawn(PYTHON, [PROGRAM, ...clientArgs(ts, tls, 'sdk-python')], {
        cwd: work,
        env: { PATH: '/usr/bin:/bin', HOME: work, PYTHONPATH: stubs, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  });
});
