/**
 * A Go gRPC client generated from proto/ (Debian's golang-go, protoc, protoc-gen-go,
 * protoc-gen-go-grpc and the grpc/protobuf library sources; `.ci/run` installs them):
 * packages generated into a temp GOPATH by the README's command, go/main.go built offline
 * in GOPATH mode against Debian's /usr/share/gocode, then run: it lists and watches
 * ConfigMaps over TLS with the admin's client certificate (see list-watch.ts).
 *
 * The build cache lives under the temp folder (not the user's), shared by runs: Go's cache
 * is keyed by content, so a warm cache changes nothing but the time. When a tool is missing
 * the suite fails under CI and is skipped, loudly, elsewhere.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { generate, GO_COMMAND } from './generate.js';
import { checkListAndWatch, clientArgs, writeClientTlsFiles } from './list-watch.js';

const PROGRAM_DIR = join(dirname(fileURLToPath(import.meta.url)), 'go');
const DEBIAN_GOPATH = '/usr/share/gocode';
const GOCACHE = join(tmpdir(), 'wheelhouse-sdk-go', 'gocache');

/** Go offline: GOPATH mode over the generated packages and Debian's library sources. */
function goEnv(gopath: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    GO111MODULE: 'off',
    GOPATH: `${gopath}:${DEBIAN_GOPATH}`,
    GOCACHE,
    GOPROXY: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

/** Why the Go SDK cannot be generated or built here, or undefined when it can. */
function goSdkMissing(): string | undefined {
  try {
    for (const tool of ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc', 'go']) {
      execFileSync(tool, [tool === 'go' ? 'version' : '--version'], { stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GOTOOLCHAIN: 'local' } });
    }
  } catch (err) {
    return `protoc, protoc-gen-go, protoc-gen-go-grpc or go not usable: ${(err as Error).message.split('\n')[0]}`;
  }
  for (const pkg of ['google.golang.org/grpc', 'google.golang.org/protobuf']) {
    if (!existsSync(join(DEBIAN_GOPATH, 'src', pkg))) return `${pkg} not in ${DEBIAN_GOPATH}`;
  }
  return undefined;
}

const missing = goSdkMissing();
if (missing && process.env.CI) throw new Error(`${missing} (required in CI: apt-get install golang-go protobuf-compiler libprotobuf-dev protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-protobuf-dev)`);
if (missing) console.warn(`\n*** SKIPPING Go gRPC SDK test: ${missing} ***\n`);

describe('a Go gRPC client generated from proto/', { skip: missing ? `SKIPPED: ${missing}` : false }, () => {
  let ts: TestServer;
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'wheelhouse-sdk-go-'));
    ts = await startTestServer();
  });
  after(async () => {
    await ts?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('builds offline, lists ConfigMaps and receives the watch event for one created over HTTP', { timeout: 180_000 }, async () => {
    const gopath = join(work, 'gopath');
    generate(`mkdir -p "$OUT"\n${GO_COMMAND}`, join(gopath, 'src'));
    await mkdir(GOCACHE, { recursive: true });
    const binary = join(work, 'list-watch');
    await new Promise<void>((resolve, reject) =>
      execFile('go', ['build', '-o', binary, '.'], { cwd: PROGRAM_DIR, env: goEnv(gopath, work), timeout: 150_000 }, (err, _stdout, stderr) =>
        err ? reject(new Error(`go build failed: ${stderr || err.message}`)) : resolve(),
      ),
    );
    const tls = await writeClientTlsFiles(ts, work);
    await checkListAndWatch(ts, 'sdk-go', () =>
      spawn(binary, clientArgs(ts, tls, 'sdk-go'), { cwd: work, env: { PATH: '/usr/bin:/bin', HOME: work }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  });
});
