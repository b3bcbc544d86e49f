/**
 * Operating the server: the data directory is private and locked to one server, a taken port
 * is a one-line error, and /livez, /readyz, /healthz report their checks as kube-apiserver
 * does — /readyz fails while etcd is frozen (SIGSTOP) and recovers when it resumes.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, readFile, rm, stat, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const base = { port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'fatal' } as const;

/** Headers for the health checks' own paths (`/readyz/etcd`), which anonymous users may not read. */
let auth: Record<string, string> = {};

async function text(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url, { headers: auth });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('the data directory', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('is readable by the server user only, and so is every file in it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'wheelhouse-perms-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    await mkdir(dataDir, { mode: 0o755 }); // an existing, too open directory is tightened
    const server = await startServer({ plainHttp: true, ...base, dataDir });
    try {
      await fetch(`${server.url}/version`);
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
      const files = await readdir(dataDir);
      for (const f of ['state.db', 'admin-token', 'kubeconfig', 'wheelhouse.lock']) assert.ok(files.includes(f), `${f} missing: ${files.join(', ')}`);
      for (const f of files) {
        const info = await stat(join(dataDir, f));
        assert.equal(info.mode & 0o777, info.isDirectory() ? 0o700 : 0o600, f);
      }
      for (const f of await readdir(join(dataDir, 'pki'))) assert.equal((await stat(join(dataDir, 'pki', f))).mode & 0o777, 0o600, `pki/${f}`);
    } finally {
      await server.close();
    }
  });

  it('is locked against a second server until the first stops', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-lock-'));
    dirs.push(dataDir);
    const first = await startServer({ plainHttp: true, ...base, dataDir });
    try {
      await assert.rejects(startServer({ plainHttp: true, ...base, dataDir }), {
        name: 'StartupError',
        message: `the data directory ${dataDir} is in use by another server (pid ${process.pid}); stop it or pass another --data-dir`,
      });
      assert.equal((await fetch(`${first.url}/version`)).status, 200, 'the refused start harmed the first server');
    } finally {
      await first.close();
    }
    const second = await startServer({ plainHttp: true, ...base, dataDir });
    await second.close();
  });

  it('takes over a lock whose holder is a zombie (killed, not yet reaped)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-lock-'));
    dirs.push(dataDir);
    // A parent that never reaps its exited child: the child stays a zombie while the parent sleeps.
    const parent = spawn('/usr/bin/python3', ['-c', 'import os,sys,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid,flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      for (let i = 0; i < 50 && !(await readFile(`/proc/${zombie}/stat`, 'utf8')).includes(') Z '); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(await readFile(`/proc/${zombie}/stat`, 'utf8'), /\) Z /);
      await writeFile(join(dataDir, 'wheelhouse.lock'), `${zombie}\n`);
      const server = await startServer({ plainHttp: true, ...base, dataDir });
      assert.equal((await readFile(join(dataDir, 'wheelhouse.lock'), 'utf8')).trim(), String(process.pid));
      await server.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('start-up errors', () => {
  let blocker: Server;
  let port: number;
  before(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    port = (blocker.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => blocker.close(() => r())));

  it('a taken port is one line on stderr and exit code 1', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-port-'));
    try {
      const err = await run('npm', ['start', '--silent', '--', '--data-dir', dataDir, '--port', String(port), '--grpc-port', '0'], { cwd: ROOT }).then(
        () => assert.fail('the server started on a taken port'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(err.code, 1);
      assert.equal(err.stderr, `wheelhouse: cannot listen on 127.0.0.1:${port} for the HTTP API: address already in use\n`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a taken gRPC port is reported the same way', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-port-'));
    try {
      await assert.rejects(startServer({ plainHttp: true, ...base, dataDir, grpcPort: port }), {
        name: 'StartupError',
        message: `cannot listen on 127.0.0.1:${port} for gRPC: address already in use`,
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('health endpoints over etcd', () => {
  let etcd: EtcdInstance;
  let server: RunningServer;
  let dataDir: string;
  before(async () => {
    etcd = await startEtcd();
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-health-'));
    server = await startServer({ plainHttp: true, ...base, dataDir, etcdServers: [etcd.endpoint], authorizationMode: 'RBAC', anonymousAuth: 'open-paths' });
    auth = { authorization: `Bearer ${(await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()}` };
  });
  after(async () => {
    etcd.signal('SIGCONT');
    await server.close();
    await etcd.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answer ok, list their checks with ?verbose, run one check by name, and exclude checks', async () => {
    const anonymous = await fetch(`${server.url}/readyz/etcd`);
    assert.equal(anonymous.status, 403, 'a check of its own is not public (upstream: system:public-info-viewer names /readyz only)');
    assert.equal(await (await fetch(`${server.url}/readyz`)).text(), 'ok');
    for (const path of ['/livez', '/readyz', '/healthz']) {
      assert.deepEqual(await text(`${server.url}${path}`), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
    }
    assert.equal(
      (await text(`${server.url}/readyz?verbose`)).body,
      '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    assert.equal((await text(`${server.url}/livez?verbose`)).body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
    assert.deepEqual(await text(`${server.url}/readyz/etcd`), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
    assert.equal((await text(`${server.url}/readyz/ping`)).body, 'ok');
    assert.equal(
      (await text(`${server.url}/healthz?verbose&exclude=etcd&exclude=nope`)).body,
      '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nhealthz check passed\n',
    );
  });

  it('/readyz fails while etcd is frozen, within the check deadline, and recovers when it resumes', async () => {
    etcd.signal('SIGSTOP');
    try {
      const t0 = Date.now();
      const frozen = await text(`${server.url}/readyz`);
      const ms = Date.now() - t0;
      assert.equal(frozen.status, 500);
      assert.equal(frozen.body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n');
      assert.ok(ms < 4000, `the readiness answer took ${ms} ms`);
      assert.equal((await text(`${server.url}/readyz/etcd`)).status, 500);
      assert.equal((await text(`${server.url}/readyz?exclude=etcd&exclude=etcd-readiness`)).status, 200);
    } finally {
      etcd.signal('SIGCONT');
    }
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await text(`${server.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 200, 'readyz did not recover after etcd resumed');
  });
});
