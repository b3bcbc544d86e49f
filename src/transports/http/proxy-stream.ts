/**
 * The byte streaming of the `proxy` subresource: the pipeline said where a request goes
 * (an address the objects name, a cleaned path); this sends the client's method, query,
 * headers and body there and streams the answer back, or splices the two connections for
 * an upgrade (WebSocket). Hop-by-hop headers are dropped both ways, the caller's
 * credentials never leave, and a failure to reach the backend is a Status error.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import { pipeline, type Duplex } from 'node:stream';
import type { ProxyLocation } from '../../endpoints/api-call.js';
import { ApiError, toApiError } from '../../machinery/errors/index.js';
import { htmlLinkRewriter, isHtml, rewriteLink, type LinkContext } from './proxy-html.js';

/** RFC 7230's hop-by-hop headers, plus what the API server consumes itself. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** CORS answers are the API server's to give, never a backend's (as upstream strips them). */
const CORS_HEADERS = ['access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin'];
/** Consumed by authentication and impersonation: never forwarded to a backend. */
const CREDENTIAL_HEADERS = /^(authorization|impersonate-.*)$/i;

function dropHopByHop(headers: IncomingHttpHeaders, keepUpgrade: boolean): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const drop = new Set([...HOP_BY_HOP, ...named]);
  if (keepUpgrade) {
    drop.delete('connection');
    drop.delete('upgrade');
  }
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !drop.has(k)) out[k] = v;
  return out;
}

function hostHeader(loc: ProxyLocation): string {
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  return loc.port === undefined ? host : `${host}:${loc.port}`;
}

function upstreamRequest(req: IncomingMessage, loc: ProxyLocation, query: string, prefix: string, upgrade: boolean): http.ClientRequest {
  const headers = dropHopByHop(req.headers, upgrade);
  for (const k of Object.keys(headers)) if (CREDENTIAL_HEADERS.test(k)) delete headers[k];
  const forwarded = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${client}` : client;
  // No X-Forwarded-Host/-Proto of our own: upstream's transport sets them only from the request
  // URL's scheme and host, which a server-side request never has (a client's own pass through).
  // Where the client sees this path: the proxy prefix and the backend path (upstream leaves the query out).
  headers['x-forwarded-uri'] = prefix + loc.path;
  headers.host = hostHeader(loc);
  if (upgrade) headers.connection = 'Upgrade';
  const options: https.RequestOptions = { host: loc.host, method: req.method, path: loc.path + query, headers, agent: false };
  if (loc.port !== undefined) options.port = loc.port;
  if (loc.scheme === 'https') {
    options.rejectUnauthorized = false;
    return https.request(options);
  }
  return http.request(options);
}

/** Upstream's wording for a backend that could not be reached, in Go's dial-error shape where we can. */
function unreachable(err: unknown, loc: ProxyLocation): ApiError {
  const e = err as NodeJS.ErrnoException;
  const addr = hostHeader(loc.port === undefined ? { ...loc, port: loc.scheme === 'https' ? 443 : 80 } : loc);
  const why =
    e.code === 'ECONNREFUSED' ? `dial tcp ${addr}: connect: connection refused`
    : e.code === 'EHOSTUNREACH' ? `dial tcp ${addr}: connect: no route to host`
    : e.code === 'ETIMEDOUT' ? `dial tcp ${addr}: i/o timeout`
    : e.message;
  return new ApiError('ServiceUnavailable', `error trying to reach service: ${why}`);
}

/** Whether a response carries a body at all (HEAD, 1xx, 204 and 304 answers never do). */
function hasBody(req: IncomingMessage, answer: IncomingMessage): boolean {
  const code = answer.statusCode ?? 200;
  return req.method !== 'HEAD' && code >= 200 && code !== 204 && code !== 304;
}

/** What a response needs written when the proxy fails: a Status, JSON. */
export type SendStatus = (err: ApiError) => void;

/** Streams one proxied request and its response. */
export function proxyHttp(req: IncomingMessage, res: ServerResponse, loc: ProxyLocation, query: string, prefix: string, sendStatus: SendStatus): void {
  const upstream = upstreamRequest(req, loc, query, prefix, false);
  const links: LinkContext = { prefix, backendHost: hostHeader(loc), requestHost: req.headers.host ?? '' };
  upstream.on('response', (answer) => {
    const headers = dropHopByHop(answer.headers, false);
    for (const name of CORS_HEADERS) delete headers[name];
    // As upstream: a Location is rewritten and the body left alone; otherwise an HTML body's links are.
    const rewrite =
      typeof headers.location === 'string' ? undefined
      : isHtml(headers['content-type'] as string | undefined) && hasBody(req, answer) ? htmlLinkRewriter(headers['content-encoding'] as string | undefined, links)
      : undefined;
    if (typeof headers.location === 'string') headers.location = rewriteLink(headers.location, links);
    if (rewrite) delete headers['content-length'];
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    if (!rewrite) {
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      return;
    }
    pipeline([answer, ...rewrite, res], (err) => {
      if (err) res.destroy();
    });
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) sendStatus(unreachable(err, loc));
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Writes a Status error straight onto an upgrade's socket and closes it. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const status = toApiError(err).status;
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${http.STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Splices an upgrade request (WebSocket) to the backend once it agrees to switch protocols. */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, loc: ProxyLocation, query: string, prefix: string): void {
  const upstream = upstreamRequest(req, loc, query, prefix, true);
  upstream.on('upgrade', (answer, backend, backendHead) => {
    const lines = [`HTTP/1.1 ${answer.statusCode ?? 101} ${answer.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    if (backendHead.length) socket.write(backendHead);
    if (head.length) backend.write(head);
    backend.pipe(socket);
    socket.pipe(backend);
    backend.on('error', () => socket.destroy());
    socket.on('error', () => backend.destroy());
    backend.on('close', () => socket.destroy());
    socket.on('close', () => backend.destroy());
  });
  // The backend refused to switch: its answer goes back as it is, then the connection closes.
  upstream.on('response', (answer) => {
    const lines = [`HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}`];
    const headers = dropHopByHop(answer.headers, false);
    for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${String(one)}`);
    lines.push('connection: close');
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    answer.pipe(socket);
  });
  upstream.on('error', (err) => rejectUpgrade(socket, unreachable(err, loc)));
  socket.on('error', () => upstream.destroy());
  upstream.end();
}
