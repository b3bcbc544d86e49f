/**
 * The scenario every generated-SDK client runs (test/sdk/python, test/sdk/go): a program that
 * takes `ADDRESS CA_FILE CERT_FILE KEY_FILE NAMESPACE`, connects to the gRPC port over TLS
 * with the admin's client certificate and prints one JSON line per step: `whoami` (a
 * SelfSubjectReview), `list` (the namespace's ConfigMaps) and `event` (the first event of a
 * watch from the list's resourceVersion, BOOKMARKs skipped), then exits 0.
 *
 * Each line is checked against what the HTTP API returns for the same objects.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, type TestServer } from '../helpers/server.js';

/** The files a client reads: the CA it trusts, the admin's certificate and key (PEM). */
export interface ClientTlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Writes the server's trusted CA and the admin's client key pair into `dir`. */
export async function writeClientTlsFiles(ts: TestServer, dir: string): Promise<ClientTlsFiles> {
  const files = { ca: join(dir, 'ca.crt'), cert: join(dir, 'admin.crt'), key: join(dir, 'admin.key') };
  await writeFile(files.ca, ts.server.pki.trustedCaPem);
  await writeFile(files.cert, ts.server.pki.admin.certPem);
  await writeFile(files.key, ts.server.pki.admin.keyPem, { mode: 0o600 });
  return files;
}

/** The program's arguments for a server and namespace. */
export function clientArgs(ts: TestServer, tls: ClientTlsFiles, namespace: string): string[] {
  return [ts.server.grpcAddress, tls.ca, tls.cert, tls.key, namespace];
}

interface ConfigMapSummary {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  data: Record<string, string>;
}

/** The fields a client prints of a ConfigMap, taken from an HTTP (JSON) object. */
function summaryOf(object: any): ConfigMapSummary {
  const m = object.metadata;
  return { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, data: object.data ?? {} };
}

/** Reads a child's stdout as JSON lines, each awaited with a deadline. */
class JsonLines {
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  private exited: number | null | undefined;
  readonly exit: Promise<number | null>;

  constructor(child: ChildProcess) {
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        this.lines.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
      this.wake();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.on('error', (err) => (this.stderr += `could not run the client: ${err.message}\n`));
    this.exit = new Promise((resolve) =>
      child.on('close', (code) => {
        this.exited = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next line, parsed; fails if the program exits first or prints nothing in `ms`. */
  async next(what: string, ms = 60_000): Promise<any> {
    const deadline = Date.now() + ms;
    while (this.lines.length === 0) {
      if (this.exited !== undefined) throw new Error(`the client exited (${this.exited}) before printing ${what}; stderr:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the client printed no ${what} in ${ms} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const line = this.lines.shift() as string;
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`the client printed a line that is not JSON for ${what}: ${line}\nstderr:\n${this.stderr}`);
    }
  }

  get errors(): string {
    return this.stderr;
  }
}

/**
 * Runs the scenario in a fresh `namespace`: two ConfigMaps exist before the client lists;
 * a third is created over HTTP once the list is printed, and must come back as the watch's
 * ADDED event with the resourceVersion and uid the HTTP create returned.
 */
export async function checkListAndWatch(ts: TestServer, namespace: string, start: () => ChildProcess): Promise<void> {
  const post = async (path: string, body: unknown): Promise<any> => {
    const res = await api(ts.server, 'POST', path, body);
    assert.equal(res.status, 201, `POST ${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await post('/api/v1/namespaces', { metadata: { name: namespace } });
  const configMaps = `/api/v1/namespaces/${namespace}/configmaps`;
  await post(configMaps, { metadata: { name: 'alpha' }, data: { color: 'blue' } });
  await post(configMaps, { metadata: { name: 'beta' }, data: { size: 'L', shape: 'round' } });
  const before = await api(ts.server, 'GET', configMaps);
  assert.equal(before.status, 200);
  assert.deepEqual(
    before.body.items.map((item: any) => item.metadata.name),
    ['alpha', 'beta'],
  );

  const child = start();
  const out = new JsonLines(child);
  try {
    assert.deepEqual(await out.next('whoami'), { whoami: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });

    const listed = await out.next('list');
    assert.deepEqual(listed, {
      list: { resourceVersion: listed.list?.resourceVersion, items: before.body.items.map(summaryOf) },
    });
    // No write happened between the two lists, so the store's revision is the same.
    const after = await api(ts.server, 'GET', configMaps);
    assert.equal(listed.list.resourceVersion, after.body.metadata.resourceVersion);
    assert.equal(listed.list.resourceVersion, before.body.metadata.resourceVersion);

    const created = await post(configMaps, { metadata: { name: 'gamma' }, data: { k: 'v' } });
    const event = await out.next('event');
    assert.deepEqual(event, { event: { type: 'ADDED', object: summaryOf(created) } });
    assert.equal(event.event.object.name, 'gamma');
    assert.notEqual(event.event.object.resourceVersion, listed.list.resourceVersion);
    const read = await api(ts.server, 'GET', `${configMaps}/gamma`);
    assert.equal(event.event.object.resourceVersion, read.body.metadata.resourceVersion);

    assert.equal(await out.exit, 0, `the client failed:\n${out.errors}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await out.exit;
  }
}
