/**
 * gRPC/HTTP parity, method by method: for one kind of every served API group, every method
 * of its generated gRPC service (read from the service definition, so none is skipped) runs
 * next to the same operation over HTTP, and the test compares
 * - the objects: each write goes to a twin object per transport (`<kind>-grpc`, `<kind>-http`),
 *   and the replies are equal once the twins' own names, uids, resourceVersions and times are
 *   set aside;
 * - the resourceVersions: what one transport wrote is read over the other and must be the
 *   same object, resourceVersion included, as must a list read at the other's resourceVersion
 *   and a watch replayed from before the first write;
 * - the errors: NotFound, AlreadyExists, Conflict and Invalid answer the same Status (reason,
 *   code, message, details) over both, with the gRPC code the reason maps to.
 * gRPC replies become Kubernetes JSON through the server's schema codec.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MethodDefinition } from '@grpc/grpc-js';
import { RESOURCES, type ResourceActionFacts, type ResourceFacts } from '../../gen/resources.js';
import { REASON_CODES, type StatusReason } from '../../src/machinery/errors/index.js';
import { grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { KIND_CASES, type Fixtures, type KindCase } from './parity/kinds.js';
import { apiVersionOf, GrpcTransport, HttpTransport, META, SCALE_TYPE, STATUS_TYPE, toMessage, withoutTypeMeta, type Json, type Outcome, type Target } from './parity/transports.js';

const NS = 'parity';
const FIELD_MANAGER = 'parity';
const APPLY_MANAGER = 'parity-apply';
const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
type PatchType = keyof typeof PATCH_TYPES;
const DELETE_OPTIONS = { gracePeriodSeconds: 0, propagationPolicy: 'Background' };
const WATCH_MS = 10_000;

let ts: TestServer;
let grpc: GrpcTransport;
let http: HttpTransport;
let fixtures: Fixtures;

before(async () => {
  ts = await startTestServer();
  // Anonymous over both (the server allows everything): the same user is recorded where a kind records its requester.
  grpc = new GrpcTransport(ts.server.grpcAddress, grpcCredentials(ts.server, false));
  http = new HttpTransport(ts.server.url);
  const created = await http.send('POST', '/api/v1/namespaces', {}, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  assert.ok(created.ok, JSON.stringify(created));
  const reviewer = 'parity-reviewer';
  const sa = await http.send('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {}, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: reviewer } });
  assert.ok(sa.ok, JSON.stringify(sa));
  const tr = await http.send('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${reviewer}/token`, {}, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
  assert.ok(tr.ok && typeof tr.body.status?.token === 'string', JSON.stringify(tr));
  fixtures = { namespace: NS, token: (tr as { body: Json }).body.status.token as string, reviewer };
});

after(async () => {
  grpc?.close();
  await ts?.stop();
});

/** What a failed outcome says, for assertion messages. */
const show = (o: Outcome): string => (o.ok ? `ok ${JSON.stringify(o.body)}` : `failed ${JSON.stringify(o.status)}`);

function okBody(o: Outcome, what: string): Json {
  if (!o.ok) assert.fail(`${what}: ${show(o)}`);
  return o.body;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/**
 * A twin's reply with what is its own set aside: its name (wherever it appears), the uids in
 * it (also where copied into labels), resourceVersions and timestamps.
 */
function normalize(value: unknown, name: string): unknown {
  const uids = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'uid' && typeof x === 'string' && x) uids.add(x);
        collect(x);
      }
    }
  };
  collect(value);
  const map = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      if (key === 'resourceVersion' && v) return '<rv>';
      if (RFC3339.test(v)) return '<time>';
      let s = v;
      for (const uid of uids) s = s.split(uid).join('<uid>');
      return s.split(name).join('<name>');
    }
    if (Array.isArray(v)) return v.map((x) => map(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x, k)]));
    return v;
  };
  return map(value);
}

/** The twins' outcomes agree: both succeed with equal replies, or both fail with equal Statuses (names set aside). */
function assertTwins(what: string, g: Outcome, h: Outcome, gName: string, hName: string): void {
  if (g.ok !== h.ok) assert.fail(`${what}: gRPC ${show(g)}, HTTP ${show(h)}`);
  assert.deepEqual(normalize(g.ok ? g.body : g.status, gName), normalize(h.ok ? h.body : h.status, hName), `${what}: gRPC and HTTP replies differ`);
}

/** Both transports fail with the same Status of `reason`, and gRPC with the code the reason maps to. */
function assertSameFailure(what: string, g: Outcome, h: Outcome, reason: StatusReason): void {
  if (g.ok || h.ok) assert.fail(`${what}: want ${reason} on both; gRPC ${show(g)}, HTTP ${show(h)}`);
  assert.deepEqual(g.status, h.status, `${what}: the Statuses differ`);
  assert.equal(h.status.reason, reason, `${what}: ${JSON.stringify(h.status)}`);
  assert.equal(h.status.code, REASON_CODES[reason].http);
  assert.equal(h.httpCode, REASON_CODES[reason].http);
  assert.equal(g.grpcCode, REASON_CODES[reason].grpc, `${what}: gRPC code`);
}

/** apiVersion and kind of a message type name such as k8s.io.api.policy.v1.Eviction. */
function typeMetaOf(typeName: string): { apiVersion: string; kind: string } {
  const parts = typeName.split('.');
  const kind = parts.at(-1) as string;
  const version = parts.at(-2) as string;
  const group = parts.at(-3) as string;
  return { apiVersion: group === 'core' ? version : `${group}/${version}`, kind };
}

type Sub = 'status' | 'approval' | 'scale';
const SUB_METHODS: Record<Sub, { get: string; update: string; patch: string }> = {
  status: { get: 'getStatus', update: 'updateStatus', patch: 'patchStatus' },
  approval: { get: 'getApproval', update: 'updateApproval', patch: 'patchApproval' },
  scale: { get: 'getScale', update: 'updateScale', patch: 'patchScale' },
};

/** One kind's exercise: the target, the twins, and the gRPC methods called so far. */
class Exercise {
  readonly t: Target;
  readonly called = new Set<string>();
  readonly methods: Record<string, MethodDefinition<Json, Json>>;
  readonly objectType: string;
  readonly listType: string;
  readonly kindRef: { apiVersion: string; kind: string };
  readonly listRef: { apiVersion: string; kind: string };

  constructor(
    readonly facts: ResourceFacts,
    readonly kc: KindCase,
  ) {
    const version = facts.versions.find((v) => v.storage) ?? facts.versions[0];
    assert.ok(version, `${facts.resource}: no version`);
    this.t = { facts, version, ...(facts.namespaced ? { namespace: NS } : {}) };
    this.methods = version.service.definition as unknown as Record<string, MethodDefinition<Json, Json>>;
    this.objectType = version.objectType;
    this.listType = version.listType;
    this.kindRef = { apiVersion: apiVersionOf(this.t), kind: facts.kind };
    this.listRef = { apiVersion: apiVersionOf(this.t), kind: facts.listKind };
  }

  get namespace(): string | undefined {
    return this.t.namespace;
  }

  /** Calls one gRPC method of the kind's service (the request's namespace is the target's). */
  grpc(method: string, request: Json, replyType = this.objectType): Promise<Outcome> {
    const def = this.methods[method];
    assert.ok(def, `${this.facts.resource}: the service has no method ${method}`);
    this.called.add(method);
    return grpc.unary(def, { ...(this.namespace ? { namespace: this.namespace } : {}), ...request }, replyType);
  }

  path(name?: string, sub?: string): string {
    return http.path(this.t, name, sub);
  }

  /** The object to create, Kubernetes JSON without apiVersion/kind. */
  object(name: string, labels: Record<string, string> = {}): Json {
    return { ...this.kc.object(fixtures), metadata: { name, labels: { 'parity-case': this.facts.resource, ...labels } } };
  }

  createOptions = (): Json => toMessage(`${META}.CreateOptions`, { fieldManager: FIELD_MANAGER });
  updateOptions = (): Json => toMessage(`${META}.UpdateOptions`, { fieldManager: FIELD_MANAGER });

  grpcCreate(obj: Json): Promise<Outcome> {
    return this.grpc('create', { object: toMessage(this.objectType, obj), options: this.createOptions() });
  }

  httpCreate(obj: Json): Promise<Outcome> {
    return http.send('POST', this.path(), { fieldManager: FIELD_MANAGER }, { ...this.kindRef, ...obj }, 'application/json', this.kindRef);
  }

  /** Gets over both transports (the object or a subresource). */
  getBoth(name: string, sub?: Sub): Promise<[Outcome, Outcome]> {
    const replyType = sub === 'scale' ? SCALE_TYPE : this.objectType;
    const replyKind = sub === 'scale' ? typeMetaOf(SCALE_TYPE) : this.kindRef;
    return Promise.all([
      this.grpc(sub ? SUB_METHODS[sub].get : 'get', { name }, replyType),
      http.send('GET', this.path(name, sub), {}, undefined, undefined, replyKind),
    ]);
  }

  /**
   * What one transport wrote, read over the other, is the same reply, resourceVersion and all:
   * HTTP reads the gRPC twin, gRPC the HTTP twin.
   */
  async crossRead(what: string, names: [string, string], written: [Json, Json], sub?: Sub): Promise<void> {
    const [[, httpOfGrpcTwin], [grpcOfHttpTwin]] = await Promise.all([this.getBoth(names[0], sub), this.getBoth(names[1], sub)]);
    assert.deepEqual(okBody(httpOfGrpcTwin, `${what}: HTTP read of the gRPC write`), written[0], `${what}: HTTP reads something else than gRPC wrote`);
    assert.deepEqual(okBody(grpcOfHttpTwin, `${what}: gRPC read of the HTTP write`), written[1], `${what}: gRPC reads something else than HTTP wrote`);
  }

  /** Runs one operation per transport on the twins, compares the replies and reads each write over the other transport. */
  async twinWrite(what: string, names: [string, string], run: (over: 'grpc' | 'http', name: string) => Promise<Outcome>, sub?: Sub): Promise<[Json, Json]> {
    const g = await run('grpc', names[0]);
    const h = await run('http', names[1]);
    assertTwins(what, g, h, names[0], names[1]);
    const written: [Json, Json] = [okBody(g, `${what} over gRPC`), okBody(h, `${what} over HTTP`)];
    await this.crossRead(what, names, written, sub);
    return written;
  }

  /** A list over one transport and the same list over the other at its resourceVersion (Exact) are equal. */
  async listParity(labelSelector: string): Promise<Json> {
    const g = okBody(await this.grpc('list', { options: toMessage(`${META}.ListOptions`, { labelSelector }) }, this.listType), 'gRPC list');
    const rv = String(g.metadata?.resourceVersion ?? '');
    assert.match(rv, /^\d+$/);
    const h = okBody(await http.send('GET', this.path(), { labelSelector, resourceVersion: rv, resourceVersionMatch: 'Exact' }, undefined, undefined, this.listRef), 'HTTP list');
    assert.deepEqual(h, g, 'HTTP list at the gRPC list resourceVersion differs');
    const h2 = okBody(await http.send('GET', this.path(), { labelSelector }, undefined, undefined, this.listRef), 'HTTP list');
    const rv2 = String(h2.metadata?.resourceVersion ?? '');
    const g2 = okBody(
      await this.grpc('list', { options: toMessage(`${META}.ListOptions`, { labelSelector, resourceVersion: rv2, resourceVersionMatch: 'Exact' }) }, this.listType),
      'gRPC list at RV',
    );
    assert.deepEqual(g2, h2, 'gRPC list at the HTTP list resourceVersion differs');
    return g;
  }

  /** The events of one object since `rv` over both transports, up to its DELETED event: the same events. */
  async watchParity(name: string, rv: string): Promise<Json[]> {
    const query = { resourceVersion: rv, fieldSelector: `metadata.name=${name}`, timeoutSeconds: '30' };
    const untilDeleted = (events: Json[]): boolean => events.some((e) => e.type === 'DELETED' || e.type === 'ERROR');
    this.called.add('watch');
    const watchDef = this.methods.watch;
    assert.ok(watchDef, `${this.facts.resource}: no Watch method`);
    const [g, h] = await Promise.all([
      grpc.watch(watchDef, { ...(this.namespace ? { namespace: this.namespace } : {}), options: toMessage(`${META}.ListOptions`, { ...query, timeoutSeconds: 30 }) }, this.objectType, untilDeleted, WATCH_MS),
      http.watch(this.path(), query, untilDeleted, WATCH_MS),
    ]);
    assert.deepEqual(g, h, `watch of ${name} from ${rv}: the gRPC and HTTP events differ`);
    assert.equal(g.at(-1)?.type, 'DELETED', `watch of ${name}: ${JSON.stringify(g)}`);
    return g;
  }

  /** Patch bodies of each type for the object (a label per type) or a subresource's section. */
  patchBody(type: PatchType, name: string, current: Json, section?: { key: 'status' | 'spec'; value: Json; typeMeta?: { apiVersion: string; kind: string } }): unknown {
    if (!section) {
      const label = `patched-${type}`;
      if (type === 'json') return [{ op: 'add', path: `/metadata/labels/${label}`, value: 'yes' }];
      const patch = { metadata: { labels: { [label]: 'yes' } } };
      return type === 'apply' ? { ...this.kindRef, metadata: { name, labels: { [label]: 'yes' } } } : patch;
    }
    const { key, value } = section;
    if (type === 'json') return [{ op: 'add', path: `/${key}`, value: { ...(current[key] ?? {}), ...value } }];
    if (type === 'apply') return { ...(section.typeMeta ?? this.kindRef), metadata: { name }, [key]: value };
    return { [key]: value };
  }

  /** Patches over one transport. */
  patch(over: 'grpc' | 'http', method: string, name: string, type: PatchType, body: unknown, sub?: Sub): Promise<Outcome> {
    const apply = type === 'apply';
    const fieldManager = apply ? APPLY_MANAGER : FIELD_MANAGER;
    const replyType = sub === 'scale' ? SCALE_TYPE : this.objectType;
    if (over === 'grpc') {
      const options = toMessage(`${META}.PatchOptions`, { fieldManager, ...(apply ? { force: true } : {}) });
      return this.grpc(method, { name, patchType: PATCH_TYPES[type], patch: Buffer.from(JSON.stringify(body)), options }, replyType);
    }
    const replyKind = sub === 'scale' ? typeMetaOf(SCALE_TYPE) : this.kindRef;
    return http.send('PATCH', this.path(name, sub), { fieldManager, ...(apply ? { force: 'true' } : {}) }, body, PATCH_TYPES[type], replyKind);
  }

  /** Deletes over one transport (no grace period, dependents in the background). */
  delete(over: 'grpc' | 'http', name: string): Promise<Outcome> {
    if (over === 'grpc') return this.grpc('delete', { name, options: toMessage(`${META}.DeleteOptions`, DELETE_OPTIONS) }, STATUS_TYPE);
    return http.send('DELETE', this.path(name), {}, { apiVersion: 'v1', kind: 'DeleteOptions', ...DELETE_OPTIONS });
  }
}

/** The NotFound of a missing object over both, for the object and each readable subresource. */
async function notFoundParity(x: Exercise): Promise<void> {
  const subs = (['status', 'approval', 'scale'] as const).filter((s) => x.methods[SUB_METHODS[s].get]);
  for (const sub of [undefined, ...subs]) {
    const [g, h] = await x.getBoth('parity-missing', sub);
    assertSameFailure(`get${sub ? ` ${sub}` : ''} of a missing object`, g, h, 'NotFound');
  }
}

/** Get, Update and every Patch type of one subresource, on the twins. */
async function subresourceParity(x: Exercise, sub: Sub, names: [string, string], content: (step: number, current: Json) => Json): Promise<void> {
  const m = SUB_METHODS[sub];
  const isScale = sub === 'scale';
  const scaleMeta = typeMetaOf(SCALE_TYPE);
  const [g0, h0] = await Promise.all(names.map(async (n, i) => (await x.getBoth(n, sub))[i] as Outcome));
  assertTwins(`get ${sub}`, g0 as Outcome, h0 as Outcome, names[0], names[1]);
  let current: [Json, Json] = [okBody(g0 as Outcome, `gRPC ${m.get}`), okBody(h0 as Outcome, `HTTP get ${sub}`)];
  const section = (step: number, cur: Json): Json => (isScale ? { replicas: 2 + step } : content(step, cur));
  current = await x.twinWrite(
    m.update,
    names,
    (over, name) => {
      const cur = current[over === 'grpc' ? 0 : 1];
      const body = isScale ? { ...cur, spec: { ...cur.spec, ...section(0, cur) } } : { ...cur, status: section(0, cur) };
      if (over === 'grpc') return x.grpc(m.update, { name, object: toMessage(isScale ? SCALE_TYPE : x.objectType, body), options: x.updateOptions() }, isScale ? SCALE_TYPE : x.objectType);
      return http.send('PUT', x.path(name, sub), { fieldManager: FIELD_MANAGER }, { ...(isScale ? scaleMeta : x.kindRef), ...body }, 'application/json', isScale ? scaleMeta : x.kindRef);
    },
    sub,
  );
  let step = 1;
  for (const type of Object.keys(PATCH_TYPES) as PatchType[]) {
    const s = step++;
    if (isScale && type === 'apply') {
      // This server takes no apply patch on /scale (upstream does, since 1.21): the same refusal over both.
      const [g, h] = await Promise.all(names.map((name, i) => {
        const over = i === 0 ? 'grpc' : 'http';
        return x.patch(over, m.patch, name, type, x.patchBody(type, name, current[i] as Json, { key: 'spec', value: section(s, current[i] as Json), typeMeta: scaleMeta }), sub);
      }));
      assertSameFailure('apply to /scale', g as Outcome, h as Outcome, 'UnsupportedMediaType');
      continue;
    }
    current = await x.twinWrite(
      `${m.patch} (${type})`,
      names,
      (over, name) => {
        const cur = current[over === 'grpc' ? 0 : 1];
        const body = x.patchBody(type, name, cur, { key: isScale ? 'spec' : 'status', value: section(s, cur), ...(isScale ? { typeMeta: scaleMeta } : {}) });
        return x.patch(over, m.patch, name, type, body, sub);
      },
      sub,
    );
  }
}

/** Every method of a kind's service, next to the same operation over HTTP. */
async function exerciseResource(x: Exercise): Promise<void> {
  const { facts, kc } = x;
  const names: [string, string] = [`${facts.singular}-grpc`, `${facts.singular}-http`];
  const start = okBody(await x.grpc('list', {}, x.listType), 'gRPC list');
  const rv0 = String(start.metadata?.resourceVersion);

  await notFoundParity(x);

  // Create, and the errors of creating.
  let current = await x.twinWrite('create', names, (over, name) => (over === 'grpc' ? x.grpcCreate(x.object(name)) : x.httpCreate(x.object(name))));
  const created = current;
  assertSameFailure('create of an existing name', await x.grpcCreate(x.object(names[0])), await x.httpCreate(x.object(names[0])), 'AlreadyExists');
  const invalid = kc.invalid ? { ...x.object('parity-invalid'), ...kc.invalid } : x.object('Not_Valid');
  assertSameFailure('create of an invalid object', await x.grpcCreate(invalid), await x.httpCreate(invalid), 'Invalid');

  const listed = await x.listParity(`parity-case=${facts.resource}`);
  assert.deepEqual(
    (listed.items as Json[]).map((i) => i.metadata.name).sort(),
    [...names].sort(),
  );

  // Update, and a stale one.
  const change = kc.update ?? ((o: Json): Json => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, updated: 'yes' } } }));
  current = await x.twinWrite('update', names, (over, name) => {
    const body = change(current[over === 'grpc' ? 0 : 1]);
    if (over === 'grpc') return x.grpc('update', { name, object: toMessage(x.objectType, body), options: x.updateOptions() });
    return http.send('PUT', x.path(name), { fieldManager: FIELD_MANAGER }, { ...x.kindRef, ...body }, 'application/json', x.kindRef);
  });
  assert.notEqual(current[0].metadata.resourceVersion, created[0].metadata.resourceVersion, 'update changed nothing');
  const stale = change(created[0]);
  assertSameFailure(
    'update with a stale resourceVersion',
    await x.grpc('update', { name: names[0], object: toMessage(x.objectType, stale), options: x.updateOptions() }),
    await http.send('PUT', x.path(names[0]), { fieldManager: FIELD_MANAGER }, { ...x.kindRef, ...stale }),
    'Conflict',
  );

  for (const type of Object.keys(PATCH_TYPES) as PatchType[]) {
    current = await x.twinWrite(`patch (${type})`, names, (over, name) => x.patch(over, 'patch', name, type, x.patchBody(type, name, current[over === 'grpc' ? 0 : 1])));
    assert.equal(current[0].metadata.labels[`patched-${type}`], 'yes');
  }

  if (x.methods.getStatus) {
    assert.ok(kc.status, `${facts.resource} has /status: its case needs status contents`);
    await subresourceParity(x, 'status', names, kc.status);
  }
  if (x.methods.getApproval) {
    assert.ok(kc.approval, `${facts.resource} has /approval: its case needs approval contents`);
    await subresourceParity(x, 'approval', names, kc.approval);
  }
  if (x.methods.getScale) await subresourceParity(x, 'scale', names, () => ({}));

  // Actions, each on twins of their own (an eviction deletes its pod).
  for (const action of facts.actions ?? []) await actionParity(x, action);

  // Delete, and what is left: NotFound over both, and the same events from before the create.
  const [g, h] = [await x.delete('grpc', names[0]), await x.delete('http', names[1])];
  const httpDeleted = okBody(h, 'HTTP delete');
  const grpcDeleted = okBody(g, 'gRPC delete');
  if (httpDeleted.kind === 'Status') assertTwins('delete', g, { ok: true, body: withoutTypeMeta(httpDeleted) }, names[0], names[1]);
  else {
    // HTTP answers the deleted object, gRPC Delete always a Status: the success Status of that object.
    assert.deepEqual(withoutTypeMeta(httpDeleted, x.kindRef).metadata.uid, current[1].metadata.uid);
    assert.deepEqual(normalize(grpcDeleted, names[0]), normalize({ metadata: {}, status: 'Success', code: 200, details: { name: names[1], ...(facts.group ? { group: facts.group } : {}), kind: facts.resource, uid: current[1].metadata.uid } }, names[1]));
  }
  for (const name of names) {
    const [gg, hh] = await x.getBoth(name);
    assertSameFailure('get after delete', gg, hh, 'NotFound');
  }
  const [gEvents, hEvents] = [await x.watchParity(names[0], rv0), await x.watchParity(names[1], rv0)];
  assert.deepEqual(normalize(gEvents, names[0]), normalize(hEvents, names[1]), 'the twins went through different events');

  // DeleteCollection of one twin each, by label.
  const dc: [string, string] = [`${facts.singular}-dc-grpc`, `${facts.singular}-dc-http`];
  await x.twinWrite('create for deletecollection', dc, (over, name) => (over === 'grpc' ? x.grpcCreate(x.object(name, { 'parity-dc': name })) : x.httpCreate(x.object(name, { 'parity-dc': name }))));
  const deleteOptions = toMessage(`${META}.DeleteOptions`, DELETE_OPTIONS);
  const gList = await x.grpc('deleteCollection', { listOptions: toMessage(`${META}.ListOptions`, { labelSelector: `parity-dc=${dc[0]}` }), deleteOptions }, x.listType);
  const hList = await http.send('DELETE', x.path(), { labelSelector: `parity-dc=${dc[1]}` }, { apiVersion: 'v1', kind: 'DeleteOptions', ...DELETE_OPTIONS }, 'application/json', x.listRef);
  assertTwins('deletecollection', gList, hList, dc[0], dc[1]);
  assert.equal(okBody(gList, 'gRPC deletecollection').items.length, 1);
  for (const name of dc) {
    const [gg, hh] = await x.getBoth(name);
    assertSameFailure('get after deletecollection', gg, hh, 'NotFound');
  }
}

/** One action (binding, eviction, token) on fresh twins: the same reply, then the same object (or NotFound) over both. */
async function actionParity(x: Exercise, action: ResourceActionFacts): Promise<void> {
  const body = x.kc.actions?.[action.method];
  assert.ok(body, `${x.facts.resource}: its case needs a body for ${action.method}`);
  const typeMeta = typeMetaOf(action.bodyType);
  const replyMeta = typeMetaOf(action.replyType);
  const names: [string, string] = [`${x.facts.singular}-${action.subresource}-grpc`, `${x.facts.singular}-${action.subresource}-http`];
  const send = (over: 'grpc' | 'http', name: string): Promise<Outcome> => {
    const json = { ...body, metadata: { name } };
    if (over === 'grpc') return x.grpc(action.method, { name, object: toMessage(action.bodyType, json), options: x.createOptions() }, action.replyType);
    return http.send('POST', x.path(name, action.subresource), { fieldManager: FIELD_MANAGER }, { ...typeMeta, ...json }, 'application/json', replyMeta.kind === 'Status' ? undefined : replyMeta);
  };
  const strip = (o: Outcome): Outcome => (o.ok && o.body.kind === 'Status' ? { ok: true, body: withoutTypeMeta(o.body) } : o);
  assertSameFailure(`${action.method} on a missing object`, await send('grpc', 'parity-missing'), await send('http', 'parity-missing'), 'NotFound');
  await x.twinWrite(`create for ${action.method}`, names, (over, name) => (over === 'grpc' ? x.grpcCreate(x.object(name)) : x.httpCreate(x.object(name))));
  const g = await send('grpc', names[0]);
  const h = strip(await send('http', names[1]));
  assertTwins(action.method, g, h, names[0], names[1]);
  okBody(g, action.method);
  for (const name of names) {
    const [gg, hh] = await x.getBoth(name);
    assert.deepEqual(gg.ok ? gg.body : gg.status, hh.ok ? hh.body : hh.status, `${action.method}: ${name} reads differently over gRPC and HTTP`);
  }
  for (const name of names) {
    const [gg, hh] = [await x.delete('grpc', name), await x.delete('http', name)];
    if (!gg.ok) assert.equal(gg.status.reason, 'NotFound');
    if (!hh.ok) assert.equal(hh.status.reason, 'NotFound');
  }
}

/** A create-only review: the same answer over both, and the same refusal. */
async function exerciseReview(x: Exercise): Promise<void> {
  const body = x.kc.object(fixtures);
  const g = await x.grpc('create', { object: toMessage(x.objectType, body), options: x.createOptions() });
  const h = await http.send('POST', x.path(), { fieldManager: FIELD_MANAGER }, { ...x.kindRef, ...body }, 'application/json', x.kindRef);
  // A review is computed, not stored: nothing of it is the transport's own, so the answers are equal as they are.
  assert.deepEqual(okBody(g, 'gRPC create'), okBody(h, 'HTTP create'), 'the reviews differ');
  assert.ok(x.kc.checkReview, `${x.facts.resource}: its case needs a check of the answer`);
  x.kc.checkReview(okBody(g, 'gRPC create'), fixtures);
  const invalid = x.kc.invalidReview;
  assert.ok(invalid, `${x.facts.resource}: its case needs an invalid review`);
  const raw = typeof invalid.body === 'string' ? invalid.body : undefined;
  const grpcRequest = raw !== undefined ? { raw: Buffer.from(raw), contentType: 'application/json' } : { object: toMessage(x.objectType, invalid.body) };
  assertSameFailure(
    'an invalid review',
    await x.grpc('create', { ...grpcRequest, options: x.createOptions() }),
    await http.send('POST', x.path(), {}, raw ?? { ...x.kindRef, ...(invalid.body as Json) }),
    invalid.reason as StatusReason,
  );
}

/** The served groups, as discovery names them ('' for the core group). */
async function servedGroups(): Promise<Set<string>> {
  const res = okBody(await http.send('GET', '/apis', {}), 'GET /apis');
  return new Set(['', ...(res.groups as Json[]).map((g) => String(g.name))]);
}

// The kinds are independent (their own resources and names): four at a time keep the file well under a minute.
describe('gRPC and HTTP agree on every method of one kind per group', { concurrency: 4 }, () => {
  it('has a kind for every served group of the declaration', async () => {
    const served = await servedGroups();
    const declared = [...new Set(RESOURCES.map((r) => r.group))];
    const chosen = new Set(KIND_CASES.map((k) => k.group));
    const missing = declared.filter((g) => served.has(g) && !chosen.has(g));
    assert.deepEqual(missing, [], 'served groups without a kind in the parity test');
    for (const k of KIND_CASES) {
      assert.ok(served.has(k.group), `${k.group} is not served`);
      assert.ok(RESOURCES.some((r) => r.group === k.group && r.resource === k.resource), `${k.group}/${k.resource} is not declared`);
    }
    // A declared group discovery does not list is one whose every version is off by default (alpha, or a late beta).
    for (const group of declared.filter((g) => !served.has(g))) {
      const versions = RESOURCES.filter((r) => r.group === group).flatMap((r) => r.versions);
      const onByDefault = versions.filter((v) => v.offByDefault !== true && !/alpha/.test(v.version));
      assert.deepEqual(onByDefault.map((v) => v.version), [], `${group} has versions on by default, yet is not served`);
    }
  });

  for (const kc of KIND_CASES) {
    it(`${kc.group || 'core'} ${kc.resource}`, async () => {
      const facts = RESOURCES.find((r) => r.group === kc.group && r.resource === kc.resource);
      assert.ok(facts, `${kc.group}/${kc.resource} is not declared`);
      const x = new Exercise(facts, kc);
      if (facts.verbs && !facts.verbs.includes('get')) await exerciseReview(x);
      else await exerciseResource(x);
      assert.deepEqual([...x.called].sort(), Object.keys(x.methods).sort(), 'methods of the service not exercised');
    });
  }
});
