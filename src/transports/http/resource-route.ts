/**
 * Resource requests over HTTP: the path, query, headers and raw body become an ApiCall;
 * the pipeline resolves and runs it; the result goes back in the negotiated format.
 * Nothing here knows resources, scopes or body formats.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ApiCall, type ApiHandler } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { resourceNotFound } from '../../endpoints/pipeline.js';
import { printerFor } from '../../endpoints/table/convert.js';
import { renderObject, renderWatch } from '../../endpoints/table/render.js';
import { encodeBody, encodeWatchFrame, watchContentType } from '../../endpoints/response/encode.js';
import { chunkedListBody } from '../../endpoints/response/list-encode.js';
import { errorMediaType, negotiateResponse, type ResponseFormat } from '../../endpoints/response/negotiate.js';
import { ApiError, toApiError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { serializedOnce } from '../../machinery/meta/serialized.js';
import { httpCredentials } from './credentials.js';
import { isWatch, parseCallOptions, requestTimeoutMs } from './query-options.js';
import { parseResourcePath, type ResourceRequestInfo } from './request-info.js';
import { sendBody, sendChunks, sendError } from './respond.js';
import { streamWatch } from './watch-stream.js';
import { PROTOBUF } from '../../endpoints/request/media-type.js';
import type { WatchEncodings } from '../../endpoints/watch-encoding.js';
import type { WatchEvent } from '../../registry/rest/resource-store.js';
import { proxyHttp, proxyUpgrade, rejectUpgrade } from './proxy-stream.js';
import { auditIdOf, httpSourceIPs } from './audit-info.js';
import { auditedResource, type Auditor, errorResponse } from '../../endpoints/audit/auditor.js';
import { verbLabel } from '../../endpoints/request/verb.js';

/**
 * What serving resource requests needs: the catalog, the pipeline, the shared watch bytes,
 * the audit of refusals made before the pipeline, and the server's shutdown.
 */
export interface ResourceRoute {
  catalog: ApiCatalog;
  handler: ApiHandler;
  encodings: WatchEncodings;
  auditor?: Auditor | undefined;
  /** Aborted when the server begins to shut down: open watches end (their chunked responses terminated). */
  shutdown?: AbortSignal;
}

/**
 * Audits a resource request refused before the pipeline ran (an unparseable path — then a
 * non-resource request —, a body too large or unreadable, a failed negotiation); no user is
 * known yet.
 */
export function auditRefusal(route: ResourceRoute, req: IncomingMessage, path: string, err: unknown): void {
  if (!route.auditor) return;
  const userAgent = req.headers['user-agent'];
  const start = { auditID: auditIdOf(req), requestURI: req.url ?? '/', sourceIPs: httpSourceIPs(req), ...(userAgent ? { userAgent } : {}) };
  const method = req.method ?? 'GET';
  const info = parseResourcePath(path);
  const audit = info
    ? route.auditor.begin({
        ...start,
        verb: verbLabel({ action: { method, watch: (method === 'GET' || method === 'HEAD') && /[?&]watch=(1|true)(&|$)/.test(req.url ?? '') }, ...(info.name ? { name: info.name } : {}) }),
        resource: auditedResource(info),
      })
    : route.auditor.begin({ ...start, verb: method.toLowerCase(), path });
  audit.complete(errorResponse(err));
}

/** What the audit records of an HTTP request: its ID, URI as sent, and the client's addresses. */
function auditFields(req: IncomingMessage): Pick<ApiCall, 'auditID' | 'requestURI' | 'sourceIPs'> {
  return { auditID: auditIdOf(req), requestURI: req.url ?? '/', sourceIPs: httpSourceIPs(req) };
}

type Query = Record<string, string | string[] | undefined>;

/**
 * The reason every request's signal is aborted with once its connection closes: one shared
 * AbortError, as `abort()` would make, but made once (building a DOMException and its stack
 * trace per request was a visible share of a GET's cost).
 */
const CONNECTION_CLOSED = new DOMException('This operation was aborted', 'AbortError');

/** Aborts `abort` with the shared reason. */
function closed(abort: AbortController): () => void {
  return () => abort.abort(CONNECTION_CLOSED);
}

/**
 * Serves one resource request, from the plain node request (reads without a body and writes
 * never enter express) with its path, parsed query and, for a write, the body read off it.
 */
export async function serveResource(
  route: ResourceRoute,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: Query,
  body?: Buffer,
): Promise<void> {
  const { catalog, handler } = route;
  const info = parseResourcePath(path);
  if (!info) {
    auditRefusal(route, req, path, resourceNotFound());
    throw resourceNotFound();
  }
  if (info.proxyPath !== undefined) return serveProxy(handler, info, req, res);
  const method = req.method ?? 'GET';
  const reads = method === 'GET' || method === 'HEAD';
  const watch = reads && isWatch(query);
  const abort = new AbortController();
  res.on('close', closed(abort));
  const call: ApiCall = {
    action: { method, watch },
    ...info,
    credentials: httpCredentials(req),
    options: parseCallOptions(query),
    signal: abort.signal,
    // Only an audited request needs them (its Audit-ID header is answered either way).
    ...(route.auditor ? auditFields(req) : {}),
  };
  if (!watch) {
    const timeoutMs = requestTimeoutMs(query);
    if (timeoutMs !== undefined) call.timeoutMs = timeoutMs;
  }
  const userAgent = req.headers['user-agent'];
  if (userAgent) call.userAgent = userAgent;
  if (!reads) {
    const data = body ?? Buffer.alloc(0);
    const contentType = req.headers['content-type'];
    call.body = contentType === undefined ? { type: 'encoded', data } : { type: 'encoded', data, contentType };
  }

  // The encoding is decided in endpoints before anything runs; this only writes the bytes.
  const served = catalog.resource(info.group, info.version, info.resource)?.definition;
  const accept = req.headers.accept;
  const errorType = errorMediaType(accept);
  const sendStatus = (err: unknown): void =>
    sendError(res, err, (status) => ({ data: encodeBody(errorType, status as unknown as KubeObject, served), contentType: errorType }));
  let format: ResponseFormat;
  try {
    format = negotiateResponse(accept, {
      protobuf: served ? served.schema.proto !== undefined : true,
      watch: reads && isWatch(query),
      transforms: reads,
      includeObject: typeof query.includeObject === 'string' ? query.includeObject : undefined,
    });
  } catch (err) {
    // A failed negotiation answers in JSON, as upstream's; the pipeline never saw the call, so it is audited here.
    if (err instanceof ApiError) {
      auditRefusal(route, req, path, err);
      return sendError(res, err);
    }
    throw err;
  }

  let result;
  try {
    result = await handler(call);
  } catch (err) {
    return sendStatus(toApiError(err));
  }
  const output = format.output;
  const printing = served && output.as !== 'object' ? printerFor(served, info.subresource) : undefined;
  if (result.type === 'watch') {
    const events = printing ? renderWatch(printing, output, result) : result.events;
    // Every watcher of an event in this encoding writes the same bytes (endpoints/watch-encoding.ts).
    const encoding = format.mediaType === PROTOBUF ? 'protobuf' : 'json';
    const resource = served ?? { group: info.group, version: info.version, resource: info.resource };
    const frame = (ev: WatchEvent): Uint8Array => {
      const data = route.encodings.bytes(ev, encoding, resource, () => encodeWatchFrame(format.mediaType, ev, served));
      route.encodings.sent(resource, data.length);
      return data;
    };
    const shutdown = route.shutdown;
    const onShutdown = (): void => abort.abort();
    if (shutdown?.aborted) abort.abort();
    shutdown?.addEventListener('abort', onShutdown, { once: true });
    try {
      await streamWatch(res, events, abort, watchContentType(format.mediaType), frame);
    } finally {
      shutdown?.removeEventListener('abort', onShutdown);
    }
    return;
  }
  if (result.type === 'proxy') return sendStatus(resourceNotFound());
  // A large list in JSON or protobuf goes out item by item.
  const chunked = !printing && result.items ? chunkedListBody(format.mediaType, result.items, served) : undefined;
  if (chunked) return sendChunks(res, result.code, chunked, format.mediaType, result.warnings ?? [], sendStatus);
  let data: Uint8Array;
  try {
    if (!printing && result.memo) {
      // The stored state's bytes in this encoding and version, shared with every other GET of it.
      const variant = `${format.mediaType} ${info.group}/${info.version}/${info.resource}`;
      data = serializedOnce(result.memo, variant, () => encodeBody(format.mediaType, result.object, served));
    } else {
      const body = printing && result.object.kind !== 'Status' ? renderObject(printing, output, result.object) : result.object;
      data = encodeBody(format.mediaType, body, served);
    }
  } catch (err) {
    // An object built only now (a lazy read) that could not be: answered as the handler would have.
    return sendStatus(toApiError(err));
  }
  sendBody(res, result.code, data, format.mediaType, result.warnings ?? []);
}

/** The raw query string of a request (`?a=b`), or empty: it goes to the backend as sent. */
function rawQuery(url: string | undefined): string {
  const at = (url ?? '').indexOf('?');
  return at < 0 ? '' : (url ?? '').slice(at);
}

/** The ApiCall of a proxy request: coordinates only; query, headers and body stay the backend's. */
function proxyCall(info: ResourceRequestInfo, req: IncomingMessage, signal: AbortSignal): ApiCall {
  const { proxyPrefix: _prefix, ...coordinates } = info;
  const call: ApiCall = {
    action: { method: req.method ?? 'GET', watch: false },
    ...coordinates,
    credentials: httpCredentials(req),
    options: {},
    signal,
    ...auditFields(req),
  };
  const userAgent = req.headers['user-agent'];
  if (userAgent) call.userAgent = userAgent;
  return call;
}

/** A proxy request: the pipeline says where it goes, then its bytes stream there and back. */
async function serveProxy(handler: ApiHandler, info: ResourceRequestInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', closed(abort));
  let result;
  try {
    result = await handler(proxyCall(info, req, abort.signal));
  } catch (err) {
    return sendError(res, toApiError(err));
  }
  if (result.type !== 'proxy') return sendError(res, resourceNotFound());
  // As upstream: a GET or HEAD of the bare `…/proxy` moves to `…/proxy/`, so the page's relative links resolve under it.
  const path = (req.url ?? '').split('?', 1)[0] ?? '';
  if (path === info.proxyPrefix && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(301, { location: path + '/' + rawQuery(req.url) });
    res.end();
    return;
  }
  proxyHttp(req, res, result.target, rawQuery(req.url), info.proxyPrefix ?? '', (err) => sendError(res, err));
}

/**
 * Connection upgrades (WebSocket) arrive beside express: only proxy paths take them; the
 * pipeline resolves the target as for any proxy request, then the sockets are spliced.
 */
export function createUpgradeHandler(handler: ApiHandler): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const abort = new AbortController();
    socket.on('close', closed(abort));
    socket.on('error', () => undefined);
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const info = parseResourcePath(path);
      if (!info || info.proxyPath === undefined) throw resourceNotFound();
      const result = await handler(proxyCall(info, req, abort.signal));
      if (result.type !== 'proxy') throw resourceNotFound();
      proxyUpgrade(req, socket, head, result.target, rawQuery(req.url), info.proxyPrefix ?? '');
    })().catch((err) => rejectUpgrade(socket, err));
  };
}
