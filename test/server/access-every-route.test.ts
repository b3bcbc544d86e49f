/**
 * Every route and every gRPC method, generated from what the server serves: its discovery
 * documents (each group version's resources, their subresources and verbs, in the namespaced
 * and the cluster-wide form) checked against the catalog, the non-resource paths (discovery,
 * OpenAPI v2 and v3, /metrics, /version, health, issuer discovery), and the methods of every
 * gRPC service it registers, checked against what reflection lists. Each is asked three times,
 * on one server running the defaults (TLS, RBAC, anonymous access on the open paths only) with
 * every API version turned on (`api/all=true`), so alphas and off-by-default betas are walked too:
 *
 * - without credentials: 401 Unauthorized (gRPC UNAUTHENTICATED), except the open paths;
 * - as `bob`, a `--token-auth-file` user bound to nothing: 403 with upstream's Forbidden
 *   message (built here from upstream's `forbiddenMessage` format, not from the server's
 *   code), except what the bootstrap roles give every authenticated user;
 * - as `root`, bound to a ClusterRole allowing everything (not system:masters): neither
 *   401 nor 403.
 *
 * Writes name objects that do not exist and collections through a label selector matching
 * nothing, so the allowed requests change nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client, Metadata, status as GrpcStatus, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { HealthClient } from '../../gen/grpc/health/v1/health.js';
import { RESOURCES, type ResourceFacts } from '../../gen/resources.js';
import { statusFromGrpcError } from '../../src/transports/grpc/status-details.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const BUF = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'buf');

const TOKENS = ['bob-token,bob,2001', 'root-token,root,2002'].join('\n');
const NAMESPACE = 'default';
/** Names of objects that do not exist: allowed requests find nothing to change. */
const NAME = 'access-probe';
const NAMESPACE_NAME = 'access-probe-ns';
const NOTHING = 'access-probe=none';
const CONCURRENCY = 12;

/** What a request asks, as upstream's authorizer.Attributes. */
type Attributes =
  | { resourceRequest: true; verb: string; group: string; resource: string; subresource: string; namespace: string; name: string }
  | { resourceRequest: false; verb: string; path: string };

/** Upstream's Forbidden wording (responsewriters.forbiddenMessage inside errors.NewForbidden). */
function expectedForbidden(user: string, a: Attributes): string {
  const q = (s: string) => JSON.stringify(s);
  if (!a.resourceRequest) return `forbidden: User ${q(user)} cannot ${a.verb} path ${q(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${q(a.namespace)}` : 'at the cluster scope';
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const head = a.name ? `${qualified} ${q(a.name)} is forbidden` : `${qualified} is forbidden`;
  return `${head}: User ${q(user)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.group)} ${where}`;
}

/** The paths anonymous requests may reach (the issue's open paths) and what the bootstrap roles let anyone read there. */
const OPEN = ['/livez', '/readyz', '/healthz', '/version'];
const isOpenPath = (path: string) => OPEN.some((p) => path === p || path.startsWith(`${p}/`)) || path.startsWith('/.well-known/');
/** system:public-info-viewer (system:authenticated and system:unauthenticated). */
const PUBLIC_INFO = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);
/** system:discovery (system:authenticated): get of these, `*` a prefix. */
const DISCOVERY = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const discoveryAllows = (path: string) => DISCOVERY.some((u) => (u.endsWith('*') ? path.startsWith(u.slice(0, -1)) : path === u));
/** system:basic-user (system:authenticated). */
const BASIC_USER = new Set(['authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews', 'authentication.k8s.io/selfsubjectreviews']);

/** Whether the bootstrap policy lets any authenticated user (bob) do this. */
function authenticatedMay(a: Attributes): boolean {
  if (!a.resourceRequest) return a.verb === 'get' && (PUBLIC_INFO.has(a.path) || discoveryAllows(a.path));
  return a.verb === 'create' && a.subresource === '' && BASIC_USER.has(`${a.group}/${a.resource}`);
}

/** One HTTP route: a method and a path, and the attributes upstream derives from them. */
interface HttpRoute {
  method: string;
  path: string;
  query?: string;
  body?: string;
  contentType?: string;
  attributes: Attributes;
  /** A watch: the answer is read from its headers only. */
  stream?: boolean;
}

/** One gRPC method of one service, with the attributes it asks. */
interface GrpcRoute {
  service: string;
  method: string;
  definition: MethodDefinition<unknown, unknown>;
  request: Record<string, unknown>;
  attributes: Attributes;
}

interface DiscoveredResource {
  group: string;
  version: string;
  name: string;
  namespaced: boolean;
  verbs: string[];
}

const base = (group: string, version: string) => (group ? `/apis/${group}/${version}` : `/api/${version}`);

/** The HTTP routes of one discovered resource or subresource. */
function resourceRoutes(r: DiscoveredResource): HttpRoute[] {
  const [resource, subresource = ''] = r.name.split('/') as [string, string?];
  const routes: HttpRoute[] = [];
  const attrs = (verb: string, namespace: string, name: string): Attributes => ({ resourceRequest: true, verb, group: r.group, resource, subresource, namespace, name });
  const prefix = base(r.group, r.version);
  const isNamespaces = r.group === '' && resource === 'namespaces';
  const collections = r.namespaced ? [{ path: `${prefix}/namespaces/${NAMESPACE}/${resource}`, namespace: NAMESPACE }, { path: `${prefix}/${resource}`, namespace: '' }] : [{ path: `${prefix}/${resource}`, namespace: '' }];
  // Upstream's RequestInfo: a namespace's own path names it as the request's namespace too.
  const item = r.namespaced
    ? { path: `${prefix}/namespaces/${NAMESPACE}/${resource}/${isNamespaces ? NAMESPACE_NAME : NAME}`, namespace: NAMESPACE, name: NAME }
    : { path: `${prefix}/${resource}/${isNamespaces ? NAMESPACE_NAME : NAME}`, namespace: isNamespaces ? NAMESPACE_NAME : '', name: isNamespaces ? NAMESPACE_NAME : NAME };
  const json = { body: '{}', contentType: 'application/json' };
  const merge = { body: '{}', contentType: 'application/merge-patch+json' };
  if (subresource) {
    const path = subresource === 'proxy' ? `${item.path}/proxy/` : `${item.path}/${subresource}`;
    const byVerb: Record<string, Omit<HttpRoute, 'attributes' | 'path'>> = { get: { method: 'GET' }, create: { method: 'POST', ...json }, update: { method: 'PUT', ...json }, patch: { method: 'PATCH', ...merge }, delete: { method: 'DELETE' } };
    for (const verb of r.verbs) {
      const how = byVerb[verb];
      if (!how) throw new Error(`${r.group}/${r.version} ${r.name}: verb ${verb} has no route here`);
      routes.push({ ...how, path, attributes: attrs(verb, item.namespace, item.name) });
    }
    return routes;
  }
  for (const verb of r.verbs) {
    switch (verb) {
      case 'list':
        for (const c of collections) routes.push({ method: 'GET', path: c.path, query: `labelSelector=${NOTHING}`, attributes: attrs('list', c.namespace, '') });
        break;
      case 'watch':
        for (const c of collections) routes.push({ method: 'GET', path: c.path, query: `watch=1&labelSelector=${NOTHING}`, stream: true, attributes: attrs('watch', c.namespace, '') });
        break;
      case 'create': {
        const c = collections[0]!;
        routes.push({ method: 'POST', path: c.path, ...json, attributes: attrs('create', c.namespace, '') });
        break;
      }
      case 'deletecollection': {
        const c = collections[0]!;
        routes.push({ method: 'DELETE', path: c.path, query: `labelSelector=${NOTHING}`, attributes: attrs('deletecollection', c.namespace, '') });
        break;
      }
      case 'get':
        routes.push({ method: 'GET', path: item.path, attributes: attrs('get', item.namespace, item.name) });
        break;
      case 'update':
        routes.push({ method: 'PUT', path: item.path, ...json, attributes: attrs('update', item.namespace, item.name) });
        break;
      case 'patch':
        routes.push({ method: 'PATCH', path: item.path, ...merge, attributes: attrs('patch', item.namespace, item.name) });
        break;
      case 'delete':
        routes.push({ method: 'DELETE', path: item.path, attributes: attrs('delete', item.namespace, item.name) });
        break;
      default:
        throw new Error(`${r.group}/${r.version} ${r.name}: verb ${verb} has no route here`);
    }
  }
  return routes;
}

/** The non-resource routes: every method on each document path, so none escapes the check. */
function nonResourceRoutes(groupVersions: { group: string; version: string }[], groups: string[]): HttpRoute[] {
  const paths = [
    '/api',
    '/apis',
    ...groups.map((g) => `/apis/${g}`),
    ...groupVersions.map((gv) => base(gv.group, gv.version)),
    '/openapi/v2',
    '/openapi/v3',
    ...groupVersions.map((gv) => `/openapi/v3${base(gv.group, gv.version)}`),
    '/metrics',
    '/version',
    '/healthz',
    '/livez',
    '/readyz',
    '/healthz/ping',
    '/livez/ping',
    '/readyz/ping',
    '/.well-known/openid-configuration',
    '/openid/v1/jwks',
  ];
  const routes: HttpRoute[] = [];
  for (const path of paths) {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const write = method === 'GET' || method === 'DELETE' ? {} : { body: '{}', contentType: method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' };
      routes.push({ method, path, ...write, attributes: { resourceRequest: false, verb: method.toLowerCase(), path } });
    }
  }
  return routes;
}

/** What a request got: the status and, for errors, the Status's reason and message. */
interface Answer {
  code: number;
  reason?: string;
  message?: string;
}

async function ask(ts: TestServer, route: HttpRoute, token: string | undefined): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (route.contentType) headers['content-type'] = route.contentType;
  const abort = new AbortController();
  const init: RequestInit = { method: route.method, headers, signal: abort.signal };
  if (route.body !== undefined) init.body = route.body;
  const res = await fetch(`${ts.server.url}${route.path}${route.query ? `?${route.query}` : ''}`, init);
  if (res.status < 400) {
    abort.abort();
    return { code: res.status };
  }
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return { code: res.status, ...(body.reason !== undefined ? { reason: body.reason } : {}), ...(body.message !== undefined ? { message: body.message } : {}) };
  } catch {
    return { code: res.status, message: text };
  }
}

/** The attributes of a resource service's method, by its key in the grpc-js definition. */
function methodAttributes(facts: ResourceFacts, method: string): Attributes | undefined {
  const namespace = facts.namespaced ? NAMESPACE : facts.group === '' && facts.resource === 'namespaces' ? NAMESPACE_NAME : '';
  const name = facts.group === '' && facts.resource === 'namespaces' ? NAMESPACE_NAME : NAME;
  const at = (verb: string, subresource: string, named: boolean): Attributes => ({
    resourceRequest: true,
    verb,
    group: facts.group,
    resource: facts.resource,
    subresource,
    namespace: named || facts.namespaced ? namespace : '',
    name: named ? name : '',
  });
  const plain: Record<string, [string, boolean]> = {
    get: ['get', true],
    list: ['list', false],
    watch: ['watch', false],
    create: ['create', false],
    update: ['update', true],
    patch: ['patch', true],
    delete: ['delete', true],
    deleteCollection: ['deletecollection', false],
  };
  const p = plain[method];
  if (p) return at(p[0], '', p[1]);
  const sub = /^(get|update|patch)(Status|Scale|Approval)$/.exec(method);
  if (sub) return at(sub[1]!, sub[2]!.toLowerCase(), true);
  const action = facts.actions?.find((a) => a.method === method);
  if (action) return at('create', action.subresource, true);
  return undefined;
}

function grpcRequest(method: string, a: Attributes): Record<string, unknown> {
  if (!a.resourceRequest) return {};
  const namespace = a.namespace && !(a.resource === 'namespaces' && a.group === '') ? { namespace: a.namespace } : {};
  const name = a.name ? { name: a.name } : {};
  const raw = { raw: Buffer.from('{}'), contentType: 'application/json' };
  if (method === 'list') return { ...namespace, options: { labelSelector: NOTHING } };
  if (method === 'watch') return { ...namespace, options: { labelSelector: NOTHING, timeoutSeconds: 1 } };
  if (method === 'deleteCollection') return { ...namespace, listOptions: { labelSelector: NOTHING } };
  if (method.startsWith('patch')) return { ...namespace, ...name, patchType: 'application/merge-patch+json', patch: Buffer.from('{}') };
  if (method.startsWith('get') || method === 'delete') return { ...namespace, ...name };
  return { ...namespace, ...name, ...raw };
}

async function askGrpc(client: Client, route: GrpcRoute, token: string | undefined): Promise<Answer> {
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  const d = route.definition;
  const failure = (err: ServiceError): Answer => {
    const status = statusFromGrpcError(err);
    return { code: err.code, ...(status.reason ? { reason: status.reason } : {}), ...(status.message ? { message: status.message } : {}) };
  };
  if (d.responseStream) {
    return new Promise((resolve) => {
      const stream = client.makeServerStreamRequest(d.path, d.requestSerialize, d.responseDeserialize, route.request, md, { deadline: Date.now() + 10_000 });
      stream.on('data', () => undefined);
      stream.on('error', (err: ServiceError) => resolve(failure(err)));
      stream.on('end', () => resolve({ code: GrpcStatus.OK }));
    });
  }
  return new Promise((resolve) => {
    client.makeUnaryRequest(d.path, d.requestSerialize, d.responseDeserialize, route.request, md, { deadline: Date.now() + 10_000 }, (err: ServiceError | null) => {
      resolve(err ? failure(err) : { code: GrpcStatus.OK });
    });
  });
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * Routes where upstream itself answers these empty requests with a 500: the bindings REST returns
 * its validation errors as a plain aggregate, componentstatuses a plain "Component not found".
 */
const UPSTREAM_500 = new Set([`POST /api/v1/namespaces/${NAMESPACE}/bindings`, `GET /api/v1/componentstatuses/${NAME}`]);

const UPSTREAM_500_GRPC = new Set(['wheelhouse.core.v1.BindingService/create', 'wheelhouse.core.v1.ComponentStatusService/get']);

const describeRoute = (r: HttpRoute) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`;

describe('every route and every gRPC method, unauthenticated, unbound and bound', () => {
  let ts: TestServer;
  let admin: string;
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-every-route-tokens-'));
    const tokenAuthFile = join(dir, 'tokens.csv');
    await writeFile(tokenAuthFile, TOKENS);
    ts = await startTestServer({ plainHttp: false, authorizationMode: 'RBAC', anonymousAuth: 'open-paths', tokenAuthFile, runtimeConfig: 'api/all=true' });
    admin = readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim();
    const asAdmin = { authorization: `Bearer ${admin}` };
    const everything = {
      metadata: { name: 'access-probe-everything' },
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    };
    assert.equal((await api(ts.server, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', everything, asAdmin)).status, 201);
    const binding = {
      metadata: { name: 'access-probe-root' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'access-probe-everything' },
      subjects: [{ kind: 'User', name: 'root' }],
    };
    assert.equal((await api(ts.server, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding, asAdmin)).status, 201);
  });
  after(() => ts?.stop());

  it('HTTP: every resource route and non-resource path answers 401, upstream\'s 403, or lets the bound user in', async () => {
    const asAdmin = { authorization: `Bearer ${admin}` };
    // The served group versions and resources, from discovery.
    const legacy = await api(ts.server, 'GET', '/api', undefined, asAdmin);
    const groupList = await api(ts.server, 'GET', '/apis', undefined, asAdmin);
    const groupVersions: { group: string; version: string }[] = [
      ...(legacy.body.versions as string[]).map((version) => ({ group: '', version })),
      ...(groupList.body.groups as { name: string; versions: { version: string }[] }[]).flatMap((g) => g.versions.map((v) => ({ group: g.name, version: v.version }))),
    ];
    const groups = (groupList.body.groups as { name: string }[]).map((g) => g.name);
    const discovered: DiscoveredResource[] = [];
    for (const gv of groupVersions) {
      const list = await api(ts.server, 'GET', base(gv.group, gv.version), undefined, asAdmin);
      assert.equal(list.status, 200, base(gv.group, gv.version));
      for (const r of list.body.resources as { name: string; namespaced: boolean; verbs: string[] }[]) discovered.push({ ...gv, name: r.name, namespaced: r.namespaced, verbs: r.verbs });
    }

    // Discovery is complete against the catalog: each served resource and subresource, once.
    const fromCatalog = new Set<string>();
    for (const store of ts.server.catalog.stores) {
      const d = store.definition;
      const key = `${d.group}/${d.version}/${d.resource}`;
      fromCatalog.add(key);
      const subs = [...(d.actions ?? []).map((a) => a.name), ...(d.proxy ? ['proxy'] : []), ...(d.scale ? ['scale'] : []), ...(d.statusStrategy ? ['status'] : []), ...Object.keys(d.statusSubresources ?? {})];
      for (const s of subs) fromCatalog.add(`${key}/${s}`);
    }
    const fromDiscovery = new Set(discovered.map((r) => `${r.group}/${r.version}/${r.name}`));
    assert.deepEqual([...fromDiscovery].filter((k) => !fromCatalog.has(k)), [], 'discovered but not served');
    assert.deepEqual([...fromCatalog].filter((k) => !fromDiscovery.has(k)), [], 'served but not in discovery: not covered');

    const routes = [...discovered.flatMap(resourceRoutes), ...nonResourceRoutes(groupVersions, groups)];
    const resourceCount = routes.filter((r) => r.attributes.resourceRequest).length;
    const failures: string[] = [];
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    await pool(routes, CONCURRENCY, async (route) => {
      const a = route.attributes;
      const [anonymous, bob, root] = [await ask(ts, route, undefined), await ask(ts, route, 'bob-token'), await ask(ts, route, 'root-token')];
      const where = describeRoute(route);
      // No credentials.
      const open = !a.resourceRequest && isOpenPath(a.path);
      if (!open) {
        if (anonymous.code !== 401 || anonymous.reason !== 'Unauthorized' || anonymous.message !== 'Unauthorized') failures.push(`anonymous ${where}: ${JSON.stringify(anonymous)}`);
        else count('anonymous 401');
      } else if (a.verb === 'get' && PUBLIC_INFO.has(a.path)) {
        if (anonymous.code >= 400) failures.push(`anonymous ${where}: ${JSON.stringify(anonymous)} (public info)`);
        else count('anonymous allowed (open path)');
      } else {
        const message = expectedForbidden('system:anonymous', a);
        if (anonymous.code !== 403 || anonymous.reason !== 'Forbidden' || anonymous.message !== message) failures.push(`anonymous ${where}: ${JSON.stringify(anonymous)}, want 403 ${JSON.stringify(message)}`);
        else count('anonymous 403 (open path, no role)');
      }
      // Authenticated, bound to nothing.
      if (authenticatedMay(a)) {
        if (bob.code === 401 || bob.code === 403) failures.push(`bob ${where}: ${JSON.stringify(bob)} (the bootstrap roles allow it)`);
        else count('unbound allowed (bootstrap roles)');
      } else {
        const message = expectedForbidden('bob', a);
        if (bob.code !== 403 || bob.reason !== 'Forbidden' || bob.message !== message) failures.push(`bob ${where}: ${JSON.stringify(bob)}, want 403 ${JSON.stringify(message)}`);
        else count('unbound 403');
      }
      // Bound to everything.
      if (root.code === 401 || root.code === 403 || (root.code >= 500 && !UPSTREAM_500.has(where))) failures.push(`root ${where}: ${JSON.stringify(root)}`);
      else count('bound allowed');
      count(`bound status ${root.code}`);
    });
    console.log(`HTTP routes: ${routes.length} (${resourceCount} resource, ${routes.length - resourceCount} non-resource) over ${discovered.length} resources and subresources in ${groupVersions.length} group versions`);
    for (const [key, n] of [...tally.entries()].sort()) console.log(`  ${key}: ${n}`);
    assert.deepEqual(failures, []);
  });

  it('gRPC: every method of every registered service answers UNAUTHENTICATED, upstream\'s PERMISSION_DENIED, or lets the bound user in', async () => {
    // The registered resource services, against what reflection lists.
    const caFile = join(ts.dataDir, 'every-route-ca.crt');
    await writeFile(caFile, ts.server.pki.trustedCaPem);
    // Reflection describes the API as discovery does: authenticated users only (system:discovery),
    // both versions of its one method. The request is `list_services: ""` (field 7), by hand.
    const reflectionClient = new Client(ts.server.grpcAddress, grpcCredentials(ts.server, false));
    const reflect = (version: string, token?: string): Promise<Answer> =>
      new Promise((resolve) => {
        const md = new Metadata();
        if (token) md.set('authorization', `Bearer ${token}`);
        const same = (b: Buffer) => b;
        const call = reflectionClient.makeBidiStreamRequest(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, same, same, md, { deadline: Date.now() + 10_000 });
        call.on('data', () => {
          resolve({ code: GrpcStatus.OK });
          call.end();
        });
        call.on('error', (err: ServiceError) => {
          const status = statusFromGrpcError(err);
          resolve({ code: err.code, ...(status.reason ? { reason: status.reason } : {}), ...(status.message ? { message: status.message } : {}) });
        });
        call.write(Buffer.from([0x3a, 0x00]));
      });
    try {
      for (const version of ['v1', 'v1alpha']) {
        assert.deepEqual(await reflect(version), { code: GrpcStatus.UNAUTHENTICATED, reason: 'Unauthorized', message: 'Unauthorized' }, version);
        assert.deepEqual(await reflect(version, 'bob-token'), { code: GrpcStatus.OK }, version);
      }
    } finally {
      reflectionClient.close();
    }
    const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', '--cacert', caFile, '--reflect-header', `Authorization: Bearer ${admin}`, '--list-services', `https://${ts.server.grpcAddress}`]);
    const reflected = stdout.split('\n').filter((s) => s !== '');
    const registered = ts.server.grpcServices();
    const resourceServices = reflected.filter((s) => s.startsWith('wheelhouse.'));
    assert.deepEqual([...resourceServices].sort(), [...registered].sort(), 'reflection and the registered services differ');
    const others = reflected.filter((s) => !s.startsWith('wheelhouse.'));
    // Besides the resource services only health (reflection does not list itself), gRPC's open
    // path (as /livez): answered without credentials.
    assert.deepEqual(others, ['grpc.health.v1.Health']);
    const health = new HealthClient(ts.server.grpcAddress, grpcCredentials(ts.server, false));
    try {
      const answer = await new Promise<{ status: number }>((resolve, reject) => health.check({ service: '' }, (err, res) => (err ? reject(err) : resolve(res))));
      assert.equal(answer.status, 1, 'SERVING');
    } finally {
      health.close();
    }
    // Each served catalog version has its service.
    const served = new Set(ts.server.catalog.stores.map((s) => `${s.definition.group}/${s.definition.version}/${s.definition.resource}`));
    const byService = new Map<string, { facts: ResourceFacts; definition: Record<string, MethodDefinition<unknown, unknown>> }>();
    for (const facts of RESOURCES) {
      for (const v of facts.versions) {
        if (served.has(`${facts.group}/${v.version}/${facts.resource}`)) byService.set(v.service.name, { facts, definition: v.service.definition as unknown as Record<string, MethodDefinition<unknown, unknown>> });
      }
    }
    assert.deepEqual([...byService.keys()].sort(), [...registered].sort(), 'the catalog\'s services and the registered ones differ');

    const routes: GrpcRoute[] = [];
    const uncovered: string[] = [];
    for (const service of registered) {
      const { facts, definition } = byService.get(service)!;
      for (const [method, d] of Object.entries(definition)) {
        const attributes = methodAttributes(facts, method);
        if (!attributes) {
          uncovered.push(`${service}/${method}`);
          continue;
        }
        routes.push({ service, method, definition: d, request: grpcRequest(method, attributes), attributes });
      }
    }
    assert.deepEqual(uncovered, [], 'methods this test does not know');

    const anonymousClient = new Client(ts.server.grpcAddress, grpcCredentials(ts.server, false));
    const failures: string[] = [];
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    try {
      await pool(routes, CONCURRENCY, async (route) => {
        const a = route.attributes;
        const where = `${route.service}/${route.method}`;
        const [anonymous, bob, root] = [await askGrpc(anonymousClient, route, undefined), await askGrpc(anonymousClient, route, 'bob-token'), await askGrpc(anonymousClient, route, 'root-token')];
        if (anonymous.code !== GrpcStatus.UNAUTHENTICATED || anonymous.reason !== 'Unauthorized' || anonymous.message !== 'Unauthorized') failures.push(`anonymous ${where}: ${JSON.stringify(anonymous)}`);
        else count('anonymous UNAUTHENTICATED');
        if (authenticatedMay(a)) {
          if (bob.code === GrpcStatus.UNAUTHENTICATED || bob.code === GrpcStatus.PERMISSION_DENIED) failures.push(`bob ${where}: ${JSON.stringify(bob)} (the bootstrap roles allow it)`);
          else count('unbound allowed (bootstrap roles)');
        } else {
          const message = expectedForbidden('bob', a);
          if (bob.code !== GrpcStatus.PERMISSION_DENIED || bob.reason !== 'Forbidden' || bob.message !== message) failures.push(`bob ${where}: ${JSON.stringify(bob)}, want ${JSON.stringify(message)}`);
          else count('unbound PERMISSION_DENIED');
        }
        const broken = root.code === GrpcStatus.INTERNAL || root.code === GrpcStatus.UNKNOWN || (root.code === GrpcStatus.UNIMPLEMENTED && root.reason !== 'MethodNotAllowed');
        if (root.code === GrpcStatus.UNAUTHENTICATED || root.code === GrpcStatus.PERMISSION_DENIED || (broken && !UPSTREAM_500_GRPC.has(where))) failures.push(`root ${where}: ${JSON.stringify(root)}`);
        else count('bound allowed');
        count(`bound code ${GrpcStatus[root.code]}`);
      });
    } finally {
      anonymousClient.close();
    }
    console.log(`gRPC methods: ${routes.length} over ${registered.length} resource services (reflection lists ${reflected.length} services)`);
    for (const [key, n] of [...tally.entries()].sort()) console.log(`  ${key}: ${n}`);
    assert.deepEqual(failures, []);
  });
});
