/**
 * The JSON/HTTP gateway: an express app that parses Kubernetes REST requests into
 * ApiCalls, runs the shared pipeline, and renders results. Discovery, version, health
 * and OpenAPI documents are served here from the same catalog.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { DEFAULT_USER, type ApiCall, type ApiHandler, type Verb } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { AGGREGATED_VERSIONS, aggregatedContentType, aggregatedDiscovery, type AggregatedVersion } from '../../endpoints/discovery/aggregated.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from '../../endpoints/discovery/legacy.js';
import type { OpenApiPublisher } from '../../endpoints/openapi/publisher.js';
import { resourceNotFound } from '../../endpoints/pipeline.js';
import { ApiError, methodNotAllowed } from '../../machinery/errors/index.js';
import { decodeObjectBody, decodePatchBody } from './body.js';
import { acceptsJson, parseAccept } from './negotiate.js';
import { negotiateOutput, renderObject, renderWatch, type OutputFormat } from './output-format.js';
import { printingDefinition } from '../../endpoints/table/convert.js';
import { isWatch, parseCallOptions } from './query-options.js';
import { parseResourcePath } from './request-info.js';
import { sendError, sendJson } from './respond.js';
import { streamWatch } from './watch-stream.js';

/** The version document served at /version. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** What the HTTP gateway needs. */
export interface HttpGatewayOptions {
  catalog: ApiCatalog;
  handler: ApiHandler;
  version: VersionInfo;
  openapi: OpenApiPublisher;
  /** Prometheus registry served at /metrics. */
  metrics?: Registry;
  /** host:port clients should use, for /api's serverAddressByClientCIDRs (a getter when the port is picked at listen time). */
  serverAddress: string | (() => string);
  /** Readiness: false until bootstrap is done. */
  ready: () => boolean;
}

/** Largest request body accepted (upstream's default of 3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function requestTooLarge(): ApiError {
  return new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
}

/** Builds the express application. */
export function createHttpGateway(opts: HttpGatewayOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Plain key=value pairs (repeated keys become arrays): `a[b]=c` is not an object.
  app.set('query parser', 'simple');
  // A declared length over the limit is answered at once (the body parser would first read
  // the whole declared body off the socket); the connection closes after the answer.
  app.use((req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > MAX_BODY_BYTES)) return next();
    res.setHeader('Connection', 'close');
    sendError(res, requestTooLarge());
  });
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));

  app.get('/version', (_req, res) => sendJson(res, 200, opts.version));
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get([path, `${path}/ping`], (_req, res) => {
      const ok = path !== '/readyz' || opts.ready();
      res.status(ok ? 200 : 500).type('text/plain').send(ok ? 'ok' : 'not ready');
    });
  }
  app.get('/metrics', (_req, res, next) => {
    if (!opts.metrics) return sendError(res, resourceNotFound());
    const registry = opts.metrics;
    registry
      .metrics()
      .then((text) => res.status(200).type(registry.contentType).send(text))
      .catch(next);
  });
  app.get('/openapi/v3', (_req, res) => sendJson(res, 200, opts.openapi.index()));
  app.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const doc = opts.openapi.document(String((req.params as Record<string, string>)[0]));
    if (!doc) return sendError(res, resourceNotFound());
    res.setHeader('Cache-Control', 'public, immutable');
    sendJson(res, 200, doc);
  });
  app.get(['/api', '/api/'], (req, res) => {
    const aggregated = pickAggregated(req);
    if (aggregated) return sendJson(res, 200, aggregatedDiscovery(opts.catalog, true, aggregated), [], aggregatedContentType(aggregated));
    sendJson(res, 200, apiVersions(opts.catalog, typeof opts.serverAddress === 'function' ? opts.serverAddress() : opts.serverAddress));
  });
  app.get(['/apis', '/apis/'], (req, res) => {
    const aggregated = pickAggregated(req);
    if (aggregated) return sendJson(res, 200, aggregatedDiscovery(opts.catalog, false, aggregated), [], aggregatedContentType(aggregated));
    sendJson(res, 200, apiGroupList(opts.catalog));
  });
  app.get(/^\/apis\/([^/]+)\/?$/, (req, res) => {
    const doc = apiGroup(opts.catalog, String((req.params as Record<string, string>)[0]));
    if (!doc) return sendError(res, resourceNotFound());
    sendJson(res, 200, doc);
  });
  app.get([/^\/api\/([^/]+)\/?$/, /^\/apis\/([^/]+)\/([^/]+)\/?$/], (req, res) => {
    const p = req.params as Record<string, string>;
    const [group, version] = p[1] !== undefined ? [p[0] ?? '', p[1]] : ['', p[0] ?? ''];
    const doc = apiResourceList(opts.catalog, group, version);
    if (!doc) return sendError(res, resourceNotFound());
    sendJson(res, 200, doc);
  });

  app.use((req, res, next) => {
    void serveResource(opts, req, res).catch(next);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, bodyParserError(err) ?? err);
  });
  return app;
}

function pickAggregated(req: Request): AggregatedVersion | undefined {
  const ranges = parseAccept(req.headers.accept);
  for (const r of ranges) {
    if (r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList') {
      const v = AGGREGATED_VERSIONS.find((x) => x === r.params.v);
      if (v) return v;
    }
    if (r.type === 'application/json' && !r.params.as) return undefined;
  }
  return undefined;
}

function bodyParserError(err: unknown): ApiError | undefined {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return requestTooLarge();
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && !(err instanceof ApiError)) {
    return new ApiError('BadRequest', e.message ?? 'bad request');
  }
  return undefined;
}

const METHOD_VERBS: Record<string, Verb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

async function serveResource(opts: HttpGatewayOptions, req: Request, res: Response): Promise<void> {
  const info = parseResourcePath(req.path);
  if (!info || !opts.catalog.hasGroupVersion(info.group, info.version)) throw resourceNotFound();
  const store = opts.catalog.resource(info.group, info.version, info.resource);
  if (!store) throw resourceNotFound();
  const def = store.definition;
  // Namespaced resources are reachable per namespace, and across namespaces for reads;
  // cluster-scoped resources never under /namespaces/NS/.
  if (!def.namespaced && info.namespace !== undefined) throw resourceNotFound();
  const ranges = parseAccept(req.headers.accept);
  const query = req.query as Record<string, string | string[] | undefined>;
  const options = parseCallOptions(query);
  const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
  let verb: Verb;
  if (req.method === 'GET' || req.method === 'HEAD') {
    verb = isWatch(query) ? 'watch' : info.name ? 'get' : 'list';
  } else {
    const mapped = METHOD_VERBS[req.method];
    if (!mapped) throw methodNotAllowed(req.method, { resource: def.resource, group: def.group });
    verb = mapped === 'delete' && !info.name ? 'deletecollection' : mapped;
  }
  if (def.namespaced && info.namespace === undefined && info.name === undefined && (verb === 'create' || verb === 'deletecollection')) {
    throw resourceNotFound();
  }
  if ((verb === 'create' && info.name) || ((verb === 'update' || verb === 'patch') && !info.name)) {
    throw methodNotAllowed(verb, { resource: def.resource, group: def.group });
  }
  if (def.namespaced && info.name && info.namespace === undefined) throw resourceNotFound();

  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const call: ApiCall = {
    verb,
    group: info.group,
    version: info.version,
    resource: info.resource,
    options,
    user: DEFAULT_USER,
    signal: abort.signal,
  };
  if (info.namespace !== undefined) call.namespace = info.namespace;
  if (info.name !== undefined) call.name = info.name;
  if (info.subresource !== undefined) call.subresource = info.subresource;
  if (verb === 'patch') {
    const patch = decodePatchBody(raw, req.headers['content-type']);
    call.patchType = patch.patchType;
    call.body = patch.body;
  } else if (verb === 'create' || verb === 'update' || verb === 'delete' || verb === 'deletecollection') {
    const body = decodeObjectBody(raw, req.headers['content-type'], opts.catalog);
    if (body !== undefined) call.body = body;
  }

  // Tables and partial metadata are views of reads; writes answer with the object.
  const reads = verb === 'get' || verb === 'list' || verb === 'watch';
  const includeObject = typeof query.includeObject === 'string' ? query.includeObject : undefined;
  const format: OutputFormat = reads ? negotiateOutput(ranges, includeObject) : acceptsJson(ranges) ? { as: 'object' } : negotiateOutput(ranges, undefined);

  const result = await opts.handler(call);
  if (result.type === 'watch') {
    await streamWatch(res, renderWatch(printingDefinition(def, info.subresource), format, result), abort);
    return;
  }
  const body = reads && result.object.kind !== 'Status' ? renderObject(printingDefinition(def, info.subresource), format, result.object) : result.object;
  sendJson(res, result.code, body, result.warnings ?? []);
}
