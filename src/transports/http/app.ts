/**
 * The JSON/HTTP gateway: an express app that parses Kubernetes REST requests into
 * ApiCalls, runs the shared pipeline, and renders results. Discovery, version, health
 * and OpenAPI documents are served here from the same catalog.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { ApiHandler } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import type { AccessControl } from '../../endpoints/auth/access.js';
import { type Auditor, errorResponse } from '../../endpoints/audit/auditor.js';
import { answerAuditId, auditIdOf, httpSourceIPs } from './audit-info.js';
import { AGGREGATED_VERSIONS, aggregatedContentType, aggregatedDiscovery, type AggregatedVersion } from '../../endpoints/discovery/aggregated.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from '../../endpoints/discovery/legacy.js';
import type { OpenApiPublisher } from '../../endpoints/openapi/publisher.js';
import { resourceNotFound } from '../../endpoints/pipeline.js';
import { ApiError } from '../../machinery/errors/index.js';
import { parseAccept } from '../../endpoints/response/accept.js';
import { serveOpenApiV2 } from './openapi-v2.js';
import { mountHealth } from './health.js';
import { mountIssuerDiscovery, type IssuerDiscovery } from './issuer-discovery.js';
import type { HealthEndpoints } from '../../endpoints/health.js';
import { sendError, sendJson } from './respond.js';
import { isProxyPath, parseResourcePath } from './request-info.js';
import { httpCredentials } from './credentials.js';
import { auditRefusal, type ResourceRoute, serveResource } from './resource-route.js';
import type { InflightLimiter } from '../../endpoints/limits/max-inflight.js';
import { declaresTooLarge, readRequestBody, requestTooLarge } from './request-body.js';
import { MAX_REQUEST_BODY_BYTES } from '../../endpoints/request/body-size.js';
import { createWatchEncodings, type WatchEncodings } from '../../endpoints/watch-encoding.js';

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
  /** Watch event bytes shared with every other watcher (and the gRPC transport); absent: this gateway's own. */
  watchEncodings?: WatchEncodings;
  /** host:port clients should use, for /api's serverAddressByClientCIDRs (a getter when the port is picked at listen time). */
  serverAddress: string | (() => string);
  /** The checks of /livez, /readyz and /healthz. */
  health: HealthEndpoints;
  /** Authentication and authorization of non-resource paths (resource requests are checked in the pipeline); absent: open. */
  access?: AccessControl;
  /** Service account issuer discovery: the OpenID configuration and the JWKS of the token keys. */
  issuerDiscovery?: IssuerDiscovery;
  /** The audit of non-resource requests (resource requests are audited in the pipeline); absent: not audited. */
  auditor?: Auditor;
  /** Aborted when the server begins to shut down: open watches end cleanly. */
  shutdown?: AbortSignal;
  /** The in-flight limit, for non-resource requests (resource calls meet it in the pipeline); absent: none. */
  inflight?: InflightLimiter;
}

/** Largest request body accepted (upstream's default of 3 MiB). */
const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/**
 * Builds the server's request listener: bodiless reads of resources go straight to the
 * resource route on the plain node request (none of express's routes can match their paths,
 * and express's per-request set-up was a visible share of a GET's cost); everything else
 * goes through the express application.
 */
export function createHttpGateway(opts: HttpGatewayOptions): RequestListener {
  const encodings = opts.watchEncodings ?? createWatchEncodings();
  const route: ResourceRoute = { catalog: opts.catalog, handler: opts.handler, encodings, auditor: opts.auditor, ...(opts.shutdown ? { shutdown: opts.shutdown } : {}) };
  const app = createExpressApp(opts, route);
  return (req, res) => {
    answerAuditId(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const read = isBodilessResourceRead(req, path);
    if (!read && !isResourceWrite(req, path)) {
      app(req, res);
      return;
    }
    // The query as express's 'simple' parser reads it.
    const query = q < 0 ? {} : (parseQuery(url.slice(q + 1)) as Record<string, string | string[] | undefined>);
    if (read) {
      serveResource(route, req, res, path, query).catch((err: unknown) => sendError(res, err));
      return;
    }
    serveWrite(route, req, res, path, (body) => serveResource(route, req, res, path, query, body));
  };
}

/**
 * A write's body read off the node request (request-body.ts), then the resource route: what
 * express's length check and raw body parser did, with the same answers. A declared length
 * over the limit is answered at once and the connection closed, as before.
 */
function serveWrite(route: ResourceRoute, req: IncomingMessage, res: ServerResponse, path: string, serve: (body: Buffer | undefined) => Promise<void>): void {
  if (declaresTooLarge(req)) {
    res.setHeader('Connection', 'close');
    auditRefusal(route, req, path, requestTooLarge());
    sendError(res, requestTooLarge());
    return;
  }
  readRequestBody(req)
    .then(serve, (err: unknown) => {
      auditRefusal(route, req, path, err);
      sendError(res, err);
    })
    .catch((err: unknown) => sendError(res, err));
}

function createExpressApp(opts: HttpGatewayOptions, route: ResourceRoute): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Plain key=value pairs (repeated keys become arrays): `a[b]=c` is not an object.
  app.set('query parser', 'simple');
  // A declared length over the limit is answered at once (the body parser would first read
  // the whole declared body off the socket); the connection closes after the answer.
  app.use((req, res, next) => {
    if (!declaresTooLarge(req) || isProxyRequest(req)) return next();
    res.setHeader('Connection', 'close');
    sendError(res, requestTooLarge());
  });
  // Non-resource paths (discovery, health, version, metrics, OpenAPI) are authorised here, before
  // anything is read; resource requests are authorised by the pipeline they enter.
  // The audit of a non-resource request opens here too, and closes when its response has gone.
  // The in-flight limit then takes a slot for them (resource requests take theirs in the
  // pipeline); health probes take none, as upstream's exempt probes priority level.
  const { access, auditor, inflight } = opts;
  if (access || auditor || inflight) {
    app.use((req, res, next) => {
      if (isResourceRequestPath(req.path)) return next();
      const verb = req.method.toLowerCase();
      const audit = auditor?.begin({
        auditID: auditIdOf(req),
        requestURI: req.originalUrl,
        verb,
        sourceIPs: httpSourceIPs(req),
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
        path: req.path,
      });
      if (audit) res.once('close', () => audit.complete({ code: res.statusCode }));
      const identified = access ? access.checkPath(httpCredentials(req), verb, req.path, audit) : Promise.resolve(undefined);
      identified
        .then((user) => {
          if (inflight && !isHealthPath(req.path)) res.on('close', inflight.admit(req.method === 'GET' || req.method === 'HEAD', user));
        })
        .then(
          () => next(),
          (err: unknown) => {
            audit?.complete(errorResponse(err));
            sendError(res, err);
          },
        );
    });
  }
  // Proxied bodies are the backend's: they stream through unread and unlimited.
  app.use(express.raw({ type: (req) => !isProxyRequest(req), limit: MAX_BODY_BYTES }));

  app.get('/version', (_req, res) => sendJson(res, 200, opts.version));
  if (opts.issuerDiscovery) mountIssuerDiscovery(app, opts.issuerDiscovery);
  mountHealth(app, opts.health);
  app.get('/metrics', (_req, res, next) => {
    if (!opts.metrics) return sendError(res, resourceNotFound());
    const registry = opts.metrics;
    registry
      .metrics()
      .then((text) => res.status(200).type(registry.contentType).send(text))
      .catch(next);
  });
  app.get('/openapi/v2', (req, res) => serveOpenApiV2(opts.openapi, req, res));
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
    const body: unknown = req.body;
    const query = req.query as Record<string, string | string[] | undefined>;
    void serveResource(route, req, res, req.path, query, Buffer.isBuffer(body) ? body : undefined).catch(next);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, bodyParserError(err) ?? err);
  });
  return app;
}

/**
 * A GET without a body of a path no route before the resource route matches: `/api/V/…` with
 * at least three segments, `/apis/G/V/…` with at least four (discovery stops at two and three).
 */
function isBodilessResourceRead(req: IncomingMessage, path: string): boolean {
  if (req.method !== 'GET' || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false;
  const min = path.startsWith('/api/') ? 3 : path.startsWith('/apis/') ? 4 : 0;
  if (min === 0) return false;
  const segments = (path.endsWith('/') ? path.slice(1, -1) : path.slice(1)).split('/').length;
  return segments >= min && !isProxyPath(path);
}

/** Whether the pipeline serves `path` (a resource, its subresource or its proxy). */
function isResourceRequestPath(path: string): boolean {
  try {
    return parseResourcePath(path) !== undefined;
  } catch {
    return true;
  }
}

/**
 * A write (POST, PUT, PATCH, DELETE) of a resource path other than a proxy's: express would
 * only have parsed its body and handed it to the resource route (no route before it takes
 * these methods). Proxied bodies stream to the backend, through express as before.
 */
function isResourceWrite(req: IncomingMessage, path: string): boolean {
  const m = req.method;
  if (m !== 'POST' && m !== 'PUT' && m !== 'PATCH' && m !== 'DELETE') return false;
  // Only resource paths: a write to a discovery document (`POST /apis/apps/v1`) is a non-resource
  // request, authorised in express before it is answered.
  return (path.startsWith('/api/') || path.startsWith('/apis/')) && !isProxyPath(path) && isResourceRequestPath(path);
}

/** `/livez`, `/readyz`, `/healthz` and their per-check paths. */
function isHealthPath(path: string): boolean {
  return /^\/(livez|readyz|healthz)(\/|$)/.test(path);
}

function isProxyRequest(req: { url?: string }): boolean {
  return isProxyPath((req.url ?? '/').split('?')[0] ?? '/');
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

