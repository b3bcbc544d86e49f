/**
 * The audit log (`--audit-policy-file`, `--audit-log-path`, rotation flags) on a real server with
 * RBAC enforced: 200 mixed HTTP and gRPC requests each leave exactly one ResponseComplete event
 * (HTTP ones matched by their `Audit-ID` header), Secrets at Metadata never show their data, one
 * create's event field by field, upstream's failed-authentication events, rotation, and a bad
 * policy file as a one-line start-up error.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { credentials as grpcChannelCredentials, Metadata, status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import { ConfigMapServiceClient, SecretServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { Secret } from '../../gen/k8s/io/api/core/v1/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { StartupError } from '../../src/server/startup-error.js';
import { api } from '../helpers/server.js';
import { startServerProcess } from '../helpers/process.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets]
  - level: RequestResponse
`;

const CANARY = 'canary-9f8e7d6c5b4a-value';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');
const HTTP_AGENT = 'audit-test/1.0';
const GRPC_AGENT = 'audit-test-grpc';
const NS = 'audit';
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface AuditEvent {
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username?: string; groups?: string[] };
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus?: { code: number; reason?: string; message?: string; status?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

function readEvents(path: string): AuditEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Waits until `ready` holds over the log's events (the log is written asynchronously). */
async function eventsWhen(path: string, ready: (events: AuditEvent[]) => boolean, what: string): Promise<AuditEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = readEvents(path);
    if (ready(events)) return events;
    if (Date.now() > deadline) throw new Error(`audit log never showed ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('audit log', () => {
  let server: RunningServer;
  let dataDir: string;
  let logPath: string;
  let adminToken: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-audit-'));
    await writeFile(join(dataDir, 'policy.yaml'), POLICY);
    await writeFile(join(dataDir, 'tokens.csv'), 'bob-token,bob,1002\n');
    logPath = join(dataDir, 'log', 'audit.log');
    server = await startServer({
      plainHttp: true,
      authorizationMode: 'RBAC',
      anonymousAuth: 'open-paths',
      dataDir,
      port: 0,
      grpcPort: 0,
      compactionIntervalSeconds: 0,
      logLevel: 'warn',
      tokenAuthFile: join(dataDir, 'tokens.csv'),
      auditPolicyFile: join(dataDir, 'policy.yaml'),
      auditLogPath: logPath,
    });
    adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } }, bearer(adminToken))).status, 201);
    assert.equal((await api(server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'keep' }, data: { a: 'b' } }, bearer(adminToken))).status, 201);
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('200 mixed HTTP and gRPC requests: one ResponseComplete each, no Secret value anywhere', async () => {
    const admin = { ...bearer(adminToken), 'user-agent': HTTP_AGENT };
    const auditIds: string[] = [];
    let grpcCalls = 0;
    const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) => {
      const res = await api(server, method, path, body, headers);
      const id = res.headers.get('audit-id');
      assert.match(id ?? '', UUID, `${method} ${path} answers an Audit-ID`);
      auditIds.push(id as string);
      return res;
    };
    const md = (token = adminToken): Metadata => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${token}`);
      return m;
    };
    const options = { 'grpc.primary_user_agent': GRPC_AGENT };
    const configMaps = new ConfigMapServiceClient(server.grpcAddress, grpcChannelCredentials.createInsecure(), options);
    const secrets = new SecretServiceClient(server.grpcAddress, grpcChannelCredentials.createInsecure(), options);
    const grpc = async <T>(run: () => Promise<T>): Promise<T> => {
      grpcCalls++;
      return run();
    };
    const CM = 'k8s.io.api.core.v1.ConfigMap';
    const SECRET = 'k8s.io.api.core.v1.Secret';
    try {
      const base = `/api/v1/namespaces/${NS}`;
      for (let i = 0; i < 19; i++) {
        // HTTP: create, get, replace, a Secret with the canary (data and stringData), list Secrets, delete.
        const created = await http('POST', `${base}/configmaps`, { metadata: { name: `cm-${i}` }, data: { n: String(i) } });
        assert.equal(created.status, 201);
        assert.equal((await http('GET', `${base}/configmaps/cm-${i}`)).status, 200);
        assert.equal((await http('PUT', `${base}/configmaps/cm-${i}`, { ...created.body, data: { n: `${i}-2` } })).status, 200);
        const secret = { metadata: { name: `s-${i}` }, data: { token: CANARY_B64 }, stringData: { plain: CANARY } };
        assert.equal((await http('POST', `${base}/secrets`, secret)).status, 201);
        assert.equal((await http('GET', `${base}/secrets`)).status, 200);
        assert.equal((await http('DELETE', `${base}/configmaps/cm-${i}`)).status, 200);
        // gRPC: create, get, a Secret with the canary, delete.
        await grpc(() => unary((cb) => configMaps.create({ namespace: NS, object: toMessage(CM, { metadata: { name: `g-${i}` }, data: { n: String(i) } }) }, md(), cb)));
        await grpc(() => unary((cb) => configMaps.get({ namespace: NS, name: `g-${i}` }, md(), cb)));
        const grpcSecret = toMessage<Secret>(SECRET, { metadata: { name: `gs-${i}` }, data: { token: CANARY_B64 } });
        await grpc(() => unary((cb) => secrets.create({ namespace: NS, object: grpcSecret }, md(), cb)));
        await grpc(() => unary((cb) => configMaps.delete({ namespace: NS, name: `g-${i}` }, md(), cb)));
      }
      // Ten more: 404s, 403s for an unbound user, 401s, a patch, a Secret read over gRPC, and watches that are closed.
      assert.equal((await http('GET', `${base}/configmaps/missing`)).status, 404);
      const notFound = await grpcFailure(() => grpc(() => unary((cb) => configMaps.get({ namespace: NS, name: 'missing' }, md(), cb))));
      assert.equal(notFound.grpcCode, GrpcStatus.NOT_FOUND);
      assert.equal((await http('GET', `${base}/secrets`, undefined, { ...bearer('bob-token'), 'user-agent': HTTP_AGENT })).status, 403);
      const forbidden = await grpcFailure(() => grpc(() => unary((cb) => configMaps.list({ namespace: NS }, md('bob-token'), cb))));
      assert.equal(forbidden.grpcCode, GrpcStatus.PERMISSION_DENIED);
      assert.equal((await http('GET', `${base}/configmaps`, undefined, { ...bearer('wrong-token'), 'user-agent': HTTP_AGENT })).status, 401);
      const patched = await http('PATCH', `${base}/configmaps/keep`, { data: { a: 'c' } }, { ...admin, 'content-type': 'application/merge-patch+json' });
      assert.equal(patched.status, 200);
      // gRPC answers the audit ID in its response metadata.
      const grpcAuditId = await grpc(
        () =>
          new Promise<string>((resolve, reject) => {
            let id = '';
            const c = secrets.get({ namespace: NS, name: 's-0' }, md(), (err) => (err ? reject(err) : resolve(id)));
            c.on('metadata', (m: Metadata) => (id = String(m.get('audit-id')[0] ?? '')));
          }),
      );
      assert.match(grpcAuditId, UUID);
      await grpc(() => unary((cb) => secrets.list({ namespace: NS }, md(), cb)));

      const abort = new AbortController();
      const watch = await fetch(`${server.url}${base}/configmaps?watch=true`, { headers: admin, signal: abort.signal });
      assert.equal(watch.status, 200);
      auditIds.push(watch.headers.get('audit-id') ?? '');
      const reader = watch.body?.getReader();
      await reader?.read(); // the ADDED event of `keep`
      abort.abort();
      grpcCalls++;
      const stream: ClientReadableStream<unknown> = configMaps.watch({ namespace: NS, options: {} }, md());
      await new Promise<void>((resolve, reject) => {
        stream.once('data', () => resolve());
        stream.once('error', reject);
      });
      stream.on('error', () => undefined);
      stream.cancel();

      assert.equal(auditIds.length + grpcCalls, 200);
      const complete = (ev: AuditEvent): boolean => ev.stage === 'ResponseComplete';
      const fromTest = (ev: AuditEvent): boolean => ev.userAgent === HTTP_AGENT || (ev.userAgent ?? '').startsWith(GRPC_AGENT);
      await eventsWhen(logPath, (evs) => evs.filter((ev) => complete(ev) && fromTest(ev)).length >= 200, '200 ResponseComplete events');
      // Give a stray duplicate the chance to show itself before counting.
      await new Promise((r) => setTimeout(r, 300));
      const all = readEvents(logPath);
      const done = all.filter((ev) => complete(ev) && fromTest(ev));
      assert.equal(done.length, 200);
      const httpDone = done.filter((ev) => ev.userAgent === HTTP_AGENT);
      assert.equal(httpDone.length, auditIds.length);
      assert.deepEqual(httpDone.map((ev) => ev.auditID).sort(), [...auditIds].sort(), 'each HTTP request has exactly its one ResponseComplete');
      assert.equal(new Set(done.map((ev) => ev.auditID)).size, 200, 'audit IDs are unique');
      assert.equal(done.filter((ev) => ev.userAgent !== HTTP_AGENT).length, grpcCalls);
      // The stages the policy keeps: no RequestReceived; ResponseStarted only for the two watches and the 401.
      assert.equal(all.filter((ev) => ev.stage === 'RequestReceived').length, 0);
      const started = all.filter((ev) => ev.stage === 'ResponseStarted' && fromTest(ev));
      assert.deepEqual(started.map((ev) => [ev.verb, ev.responseStatus?.code]).sort(), [['list', 401], ['watch', 200], ['watch', 200]]);

      // No Secret data at Metadata: neither the canary nor its base64, in any event.
      const text = readFileSync(logPath, 'utf8');
      assert.equal(text.includes(CANARY), false, 'the canary is not in the log');
      assert.equal(text.includes(CANARY_B64), false, 'the canary\'s base64 is not in the log');
      const secretEvents = done.filter((ev) => ev.objectRef?.resource === 'secrets');
      assert.equal(secretEvents.length, 19 * 3 + 3);
      for (const ev of secretEvents) {
        assert.equal(ev.level, 'Metadata');
        assert.equal('requestObject' in ev || 'responseObject' in ev, false);
      }
      // The gRPC watch, as HTTP would have been asked, by the admin, allowed.
      const grpcWatch = done.find((ev) => ev.verb === 'watch' && ev.userAgent !== HTTP_AGENT);
      assert.equal(grpcWatch?.requestURI, `${base}/configmaps?watch=true`);
      assert.deepEqual(grpcWatch?.responseStatus, { metadata: {}, code: 200 });
      assert.deepEqual(grpcWatch?.sourceIPs, ['127.0.0.1']);
      const grpcGet = done.filter((ev) => ev.auditID === grpcAuditId);
      assert.deepEqual(grpcGet.map((ev) => [ev.verb, ev.objectRef?.name, ev.level, ev.responseStatus?.code]), [['get', 's-0', 'Metadata', 200]]);
      // A typed gRPC body is recorded as the object it decodes to, in its group version.
      const grpcCreate = done.find((ev) => ev.verb === 'create' && ev.objectRef?.name === 'g-3');
      assert.deepEqual(grpcCreate?.requestObject, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'g-3' }, data: { n: '3' } });
      assert.equal(grpcCreate?.requestURI, `${base}/configmaps`);
      assert.equal((grpcCreate?.responseObject as { metadata: { name: string } }).metadata.name, 'g-3');
      // The errors carry their Status.
      const missing = done.find((ev) => ev.requestURI === `${base}/configmaps/missing`);
      assert.deepEqual(missing?.responseStatus, {
        metadata: {},
        status: 'Failure',
        message: 'configmaps "missing" not found',
        reason: 'NotFound',
        details: { name: 'missing', kind: 'configmaps' },
        code: 404,
      });
      const bob = done.find((ev) => ev.user.username === 'bob' && ev.userAgent === HTTP_AGENT);
      assert.equal(bob?.responseStatus?.code, 403);
      assert.equal(bob?.responseStatus?.reason, 'Forbidden');
      assert.equal(bob?.annotations?.['authorization.k8s.io/decision'], 'forbid');
      assert.equal(bob?.level, 'Metadata');
    } finally {
      configMaps.close();
      secrets.close();
    }
  });

  it('a create\'s event, field by field', async () => {
    const headers = { ...bearer(adminToken), 'user-agent': HTTP_AGENT };
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'exact', labels: { app: 'x' } }, data: { k: 'v' } };
    const res = await api(server, 'POST', `/api/v1/namespaces/${NS}/configmaps?fieldManager=audit-test`, body, headers);
    assert.equal(res.status, 201);
    const id = res.headers.get('audit-id') ?? '';
    const [ev] = (await eventsWhen(logPath, (evs) => evs.some((e) => e.auditID === id), 'the create')).filter((e) => e.auditID === id);
    assert.ok(ev);
    assert.match(String(ev.requestReceivedTimestamp), MICRO_TIME);
    assert.match(String(ev.stageTimestamp), MICRO_TIME);
    assert.ok(String(ev.stageTimestamp) >= String(ev.requestReceivedTimestamp));
    const { requestReceivedTimestamp: _r, stageTimestamp: _s, responseObject, ...rest } = ev;
    assert.deepEqual(rest, {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: id,
      stage: 'ResponseComplete',
      requestURI: `/api/v1/namespaces/${NS}/configmaps?fieldManager=audit-test`,
      verb: 'create',
      user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      userAgent: HTTP_AGENT,
      objectRef: { resource: 'configmaps', namespace: NS, name: 'exact', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: body,
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    });
    assert.deepEqual(Object.keys(ev), [
      'kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'userAgent',
      'objectRef', 'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations',
    ]);
    assert.deepEqual(responseObject, res.body);
  });

  it('an unauthenticated request: ResponseStarted and ResponseComplete with 401 and no user, as upstream\'s authentication filter', async () => {
    const res = await api(server, 'GET', `/api/v1/namespaces/${NS}/secrets/s-0?x=1`, undefined, { 'user-agent': HTTP_AGENT });
    assert.equal(res.status, 401);
    const id = res.headers.get('audit-id') ?? '';
    const events = (await eventsWhen(logPath, (evs) => evs.some((e) => e.auditID === id && e.stage === 'ResponseComplete'), 'the 401')).filter((e) => e.auditID === id);
    assert.deepEqual(events.map((e) => e.stage), ['ResponseStarted', 'ResponseComplete']);
    for (const ev of events) {
      const { requestReceivedTimestamp: _r, stageTimestamp: _s, stage: _stage, ...rest } = ev;
      assert.deepEqual(rest, {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID: id,
        requestURI: `/api/v1/namespaces/${NS}/secrets/s-0?x=1`,
        verb: 'get',
        user: {},
        sourceIPs: ['127.0.0.1'],
        userAgent: HTTP_AGENT,
        objectRef: { resource: 'secrets', namespace: NS, name: 's-0', apiVersion: 'v1' },
        responseStatus: { metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
      });
    }
    // A non-resource path is audited the same way, with its HTTP method as the verb.
    const open = await api(server, 'GET', '/apis', undefined, { 'user-agent': HTTP_AGENT });
    assert.equal(open.status, 401);
    const openId = open.headers.get('audit-id') ?? '';
    const [last] = (await eventsWhen(logPath, (evs) => evs.some((e) => e.auditID === openId && e.stage === 'ResponseComplete'), 'the /apis 401'))
      .filter((e) => e.auditID === openId && e.stage === 'ResponseComplete');
    assert.equal(last?.verb, 'get');
    assert.equal(last?.requestURI, '/apis');
    assert.equal(last?.objectRef, undefined);
    assert.equal(last?.responseStatus?.code, 401);
  });

  it('an impersonated request names both users; the refusal is annotated', async () => {
    const res = await api(server, 'GET', `/api/v1/namespaces/${NS}/configmaps`, undefined, { ...bearer(adminToken), 'user-agent': HTTP_AGENT, 'impersonate-user': 'bob' });
    assert.equal(res.status, 403);
    const id = res.headers.get('audit-id') ?? '';
    const [ev] = (await eventsWhen(logPath, (evs) => evs.some((e) => e.auditID === id), 'the impersonated list')).filter((e) => e.auditID === id);
    assert.deepEqual(ev?.user, { username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    assert.deepEqual(ev?.impersonatedUser, { username: 'bob', groups: ['system:authenticated'] });
    assert.deepEqual(ev?.annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' });
    assert.deepEqual(ev?.responseStatus, {
      metadata: {},
      status: 'Failure',
      message: `configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "${NS}"`,
      reason: 'Forbidden',
      details: { kind: 'configmaps' },
      code: 403,
    });
    assert.deepEqual(ev?.responseObject, { kind: 'Status', apiVersion: 'v1', ...(ev?.responseStatus as object) });
  });

  it('requests refused before the pipeline runs are audited too: 413, 406, a path that names no resource', async () => {
    const headers = { ...bearer(adminToken), 'user-agent': HTTP_AGENT };
    const big = await api(server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'big' }, data: { v: 'x'.repeat(4 * 1024 * 1024) } }, headers);
    const notAcceptable = await api(server, 'GET', `/api/v1/namespaces/${NS}/configmaps`, undefined, { ...headers, accept: 'application/x-bogus' });
    const nowhere = await api(server, 'GET', '/api/v1/namespaces//configmaps', undefined, headers);
    assert.deepEqual([big.status, notAcceptable.status, nowhere.status], [413, 406, 404]);
    const ids = [big, notAcceptable, nowhere].map((r) => r.headers.get('audit-id') ?? '');
    const events = await eventsWhen(logPath, (evs) => ids.every((id) => evs.some((e) => e.auditID === id)), 'the refusals');
    const of = (id: string) => events.filter((e) => e.auditID === id).map((e) => [e.stage, e.verb, e.objectRef?.resource, e.responseStatus?.code, e.responseStatus?.reason]);
    assert.deepEqual(of(ids[0] as string), [['ResponseComplete', 'create', 'configmaps', 413, 'RequestEntityTooLarge']]);
    assert.deepEqual(of(ids[1] as string), [['ResponseComplete', 'list', 'configmaps', 406, 'NotAcceptable']]);
    assert.deepEqual(of(ids[2] as string), [['ResponseComplete', 'get', undefined, 404, 'NotFound']]);
  });

  it('a client\'s Audit-ID is kept; a non-resource request is audited when it completes', async () => {
    const res = await api(server, 'GET', '/version', undefined, { ...bearer(adminToken), 'user-agent': HTTP_AGENT, 'audit-id': 'my-own-id' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('audit-id'), 'my-own-id');
    const [ev] = (await eventsWhen(logPath, (evs) => evs.some((e) => e.auditID === 'my-own-id'), 'the /version')).filter((e) => e.auditID === 'my-own-id');
    assert.deepEqual([ev?.stage, ev?.verb, ev?.requestURI, ev?.responseStatus, ev?.user.username], ['ResponseComplete', 'get', '/version', { metadata: {}, code: 200 }, 'admin']);
  });
});

describe('audit log rotation and policy errors', () => {
  it('a tiny --audit-log-maxsize makes backups named as lumberjack names them; --audit-log-maxbackup keeps at most N', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-audit-rotate-'));
    try {
      await writeFile(join(dataDir, 'policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n    resources: [{ group: "", resources: [configmaps] }]\n');
      const logPath = join(dataDir, 'audit.log');
      const server = await startServer({
        plainHttp: true,
        authorizationMode: 'AlwaysAllow',
        anonymousAuth: true,
        dataDir,
        port: 0,
        grpcPort: 0,
        compactionIntervalSeconds: 0,
        logLevel: 'warn',
        auditPolicyFile: join(dataDir, 'policy.yaml'),
        auditLogPath: logPath,
        auditLogMaxSize: 1,
        auditLogMaxBackup: 2,
      });
      try {
        // Each create's RequestReceived and ResponseComplete carry ~300 KB objects: a few rotate a 1 MB log.
        const big = 'x'.repeat(300 * 1024);
        for (let i = 0; i < 8; i++) {
          assert.equal((await api(server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `big-${i}` }, data: { v: big } })).status, 201);
        }
      } finally {
        await server.close();
      }
      const backupsOf = (): string[] => readdirSync(dataDir).filter((f) => f.startsWith('audit-'));
      const deadline = Date.now() + 5000;
      while (backupsOf().length > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const backups = backupsOf();
      assert.equal(backups.length, 2, backups.join(','));
      for (const name of backups) {
        assert.match(name, /^audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log$/);
        assert.ok(statSync(join(dataDir, name)).size <= 1024 * 1024);
        for (const line of readFileSync(join(dataDir, name), 'utf8').split('\n').filter(Boolean)) assert.equal(JSON.parse(line).kind, 'Event');
      }
      assert.ok(statSync(logPath).size <= 1024 * 1024);
      // The newest events are in the live file: the last create's ResponseComplete.
      const live = readEvents(logPath);
      assert.ok(live.some((ev) => ev.objectRef?.name === 'big-7' && ev.stage === 'ResponseComplete'));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a log that cannot be written drops events and the server keeps serving', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-audit-broken-'));
    try {
      await writeFile(join(dataDir, 'policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n');
      // The log path is a directory: every open fails (EISDIR).
      const server = await startServer({
        plainHttp: true,
        authorizationMode: 'AlwaysAllow',
        anonymousAuth: true,
        dataDir,
        port: 0,
        grpcPort: 0,
        compactionIntervalSeconds: 0,
        logLevel: 'fatal',
        auditPolicyFile: join(dataDir, 'policy.yaml'),
        auditLogPath: dataDir,
      });
      try {
        for (let i = 0; i < 20; i++) {
          assert.equal((await api(server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `c-${i}` } })).status, 201);
          assert.equal((await api(server, 'GET', `/api/v1/namespaces/default/configmaps/c-${i}`)).status, 200);
        }
        await new Promise((r) => setTimeout(r, 1100));
        assert.equal((await api(server, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
      } finally {
        await server.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('the command takes the --audit-* flags; "-" writes the events to standard output', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-audit-cmd-'));
    try {
      const policy = join(dataDir, 'policy.yaml');
      await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n');
      const flags = ['--audit-policy-file', policy, '--audit-log-path', '-', '--audit-log-maxsize', '5', '--audit-log-maxbackup', '3', '--audit-log-maxage', '7'];
      const proc = await startServerProcess(['--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--plain-http', '--authorization-mode', 'AlwaysAllow', '--anonymous-auth', 'true', ...flags]);
      try {
        const res = await fetch(`${proc.url}/api/v1/namespaces/default/configmaps`, { headers: { 'audit-id': 'from-the-command' } });
        assert.equal(res.status, 200);
        const deadline = Date.now() + 10_000;
        let line: string | undefined;
        while (!line && Date.now() < deadline) {
          line = proc.output().split('\n').find((l) => l.includes('"from-the-command"') && l.includes('ResponseComplete'));
          if (!line) await new Promise((r) => setTimeout(r, 50));
        }
        const ev = JSON.parse(line ?? '{}') as AuditEvent;
        assert.deepEqual([ev.kind, ev.level, ev.verb, ev.requestURI, ev.user.username, ev.responseStatus?.code], ['Event', 'Metadata', 'list', '/api/v1/namespaces/default/configmaps', 'system:anonymous', 200]);
      } finally {
        await proc.stop();
      }
      const help = await run('npm', ['start', '--silent', '--', '--help'], { cwd: ROOT });
      for (const flag of ['--audit-policy-file', '--audit-log-path', '--audit-log-maxsize', '--audit-log-maxbackup', '--audit-log-maxage']) assert.ok(help.stdout.includes(flag), flag);
      const bad = await run('npm', ['start', '--silent', '--', '--audit-log-maxbackup', 'many'], { cwd: ROOT }).then(
        () => assert.fail('a bad count was taken'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr.split('\n')[0], 'Error: invalid value "many" for --audit-log-maxbackup: must be a whole number');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a bad policy file is a one-line start-up error', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-audit-bad-'));
    try {
      const policy = join(dataDir, 'policy.yaml');
      const start = () =>
        startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', auditPolicyFile: policy, auditLogPath: join(dataDir, 'a.log') });
      await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n');
      await assert.rejects(start(), (err: Error) => {
        assert.ok(err instanceof StartupError);
        assert.equal(
          err.message,
          `loading audit policy file: validation of audit policy file "${policy}" failed: rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"`,
        );
        return true;
      });
      await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n    resources: [{ group: "" }]\n    nonResourceURLs: ["/healthz*"]\n');
      await assert.rejects(start(), /rules cannot apply to both regular resources and non-resource URLs/);
      await assert.rejects(
        startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', auditPolicyFile: join(dataDir, 'none.yaml'), auditLogPath: join(dataDir, 'a.log') }),
        (err: Error) => err instanceof StartupError && err.message === `loading audit policy file: cannot read ${join(dataDir, 'none.yaml')}: ENOENT`,
      );
      // The command prints it as one line and exits 1.
      const err = await run('npm', ['start', '--silent', '--', '--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--audit-policy-file', policy, '--audit-log-path', '-'], {
        cwd: ROOT,
      }).then(
        () => assert.fail('the server started with a bad policy'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(err.code, 1);
      assert.equal(err.stderr, `wheelhouse: loading audit policy file: validation of audit policy file "${policy}" failed: rules[0].nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs\n`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
