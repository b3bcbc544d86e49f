/** Writing response bytes and Status errors (gzip only when the client asks). */
import { gzip } from 'node:zlib';
import type { Response } from 'express';
import { type ApiError, toApiError } from '../../machinery/errors/index.js';

/** Bodies at least this large are gzipped for clients that accept it (upstream's threshold). */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** Whether an Accept-Encoding header allows gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Sends a JSON body with a status code and optional warnings. */
export function sendJson(res: Response, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  sendBody(res, code, Buffer.from(JSON.stringify(body), 'utf8'), contentType, warnings);
}

/** Sends encoded bytes with their media type (gzipped when large and the client asks). */
export function sendBody(res: Response, code: number, data: Uint8Array, contentType: string, warnings: string[] = []): void {
  for (const w of warnings) res.append('Warning', `299 - ${JSON.stringify(w)}`);
  res.status(code);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  if (data.length >= GZIP_THRESHOLD_BYTES && acceptsGzip(res.req?.headers['accept-encoding'])) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    // Compress off the event loop: large lists must not stall other requests.
    gzip(data, (err, zipped) => {
      if (err) {
        res.removeHeader('Content-Encoding');
        res.end(data);
      } else res.end(zipped);
    });
    return;
  }
  res.end(data);
}

/** Sends any error as a Kubernetes Status; `encode` writes it in a negotiated media type (JSON otherwise). */
export function sendError(res: Response, err: unknown, encode?: (status: ApiError['status']) => { data: Uint8Array; contentType: string }): void {
  const apiErr: ApiError = toApiError(err);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const retry = apiErr.status.details?.retryAfterSeconds;
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  if (encode) {
    const { data, contentType } = encode(apiErr.status);
    sendBody(res, apiErr.status.code, data, contentType);
    return;
  }
  sendJson(res, apiErr.status.code, apiErr.status);
}
