/**
 * GET /openapi/v2 as upstream's OpenAPI handler answers it: the media type picked from
 * Accept (JSON, or gnostic protobuf under its current and its deprecated `@v1.0` name),
 * 406 when none fits, a quoted SHA-512 ETag and Last-Modified on both forms, and 304 for
 * a matching If-None-Match (or, without one, an If-Modified-Since not older than the document).
 */
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { OpenApiPublisher, SwaggerDocument } from '../../endpoints/openapi/publisher.js';
import { parseAccept } from '../../endpoints/response/accept.js';
import { acceptsGzip } from './respond.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The name client-go asks for; answered with PROTOBUF_TYPE. */
const PROTOBUF_DEPRECATED_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const OFFERED = [JSON_TYPE, PROTOBUF_DEPRECATED_TYPE, PROTOBUF_TYPE] as const;

function quality(params: Record<string, string>): number {
  const q = params.q === undefined ? 1 : Number(params.q);
  return Number.isFinite(q) ? q : 0;
}

function matches(range: string, offered: string): boolean {
  if (range === '*/*' || range === offered) return true;
  const [type, sub] = range.split('/');
  return sub === '*' && offered.startsWith(`${type}/`);
}

/** The offered media type the Accept header prefers, or undefined (406). */
function negotiate(accept: string | undefined): (typeof OFFERED)[number] | undefined {
  const ranges = parseAccept(accept)
    .map((r, i) => ({ type: r.type.toLowerCase(), q: quality(r.params), i }))
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const hit = OFFERED.find((o) => matches(r.type, o));
    if (hit) return hit;
  }
  return undefined;
}

function notModified(req: Request, etag: string, lastModified: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    return inm.split(',').some((t) => {
      const tag = t.trim().replace(/^W\//, '');
      return tag === '*' || tag === etag;
    });
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && lastModified.getTime() <= since;
}

/** Compressed bodies per document and form, made once (the document only changes with the catalog). */
const zipped = new WeakMap<SwaggerDocument, { json?: Buffer; protobuf?: Buffer }>();

function body(doc: SwaggerDocument, json: boolean, gzip: boolean): Buffer {
  const plain = json ? doc.json : Buffer.from(doc.protobuf());
  if (!gzip) return plain;
  const cache = zipped.get(doc) ?? {};
  zipped.set(doc, cache);
  const key = json ? 'json' : 'protobuf';
  return (cache[key] ??= gzipSync(plain));
}

/** Serves the v2 document. */
export function serveOpenApiV2(openapi: OpenApiPublisher, req: Request, res: Response): void {
  res.append('Vary', 'Accept');
  const type = negotiate(req.headers.accept);
  if (!type) {
    res.status(406).end();
    return;
  }
  const doc = openapi.swagger();
  const etag = JSON.stringify(doc.etag);
  res.setHeader('Content-Type', type === JSON_TYPE ? JSON_TYPE : PROTOBUF_TYPE);
  res.setHeader('Etag', etag);
  res.setHeader('Last-Modified', doc.lastModified.toUTCString());
  if (notModified(req, etag, doc.lastModified)) {
    res.removeHeader('Content-Type');
    res.status(304).end();
    return;
  }
  // Gzipped when the client takes it, as upstream's handler does (client-go always asks).
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  if (gzip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.append('Vary', 'Accept-Encoding');
  }
  res.status(200).end(body(doc, type === JSON_TYPE, gzip));
}
