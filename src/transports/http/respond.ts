/** Writing response bytes and Status errors (gzip only when the client asks). */
import type { Writable } from 'node:stream';
import { createGzip, gzip } from 'node:zlib';
import type { ServerResponse } from 'node:http';
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

/** Warning headers, as upstream writes them (set on the plain node response: no framework needed). */
function setWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length > 0) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

/** Sends a JSON body with a status code and optional warnings. */
export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  sendBody(res, code, Buffer.from(JSON.stringify(body), 'utf8'), contentType, warnings);
}

/** Sends encoded bytes with their media type (gzipped when large and the client asks). */
export function sendBody(res: ServerResponse, code: number, data: Uint8Array, contentType: string, warnings: string[] = []): void {
  setWarnings(res, warnings);
  res.statusCode = code;
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

/** Writes one chunk, waiting for 'drain' when the stream's buffer is full; false once the stream is gone. */
async function writeChunk(out: Writable, chunk: Uint8Array): Promise<boolean> {
  if (out.destroyed) return false;
  if (out.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const go = (): void => {
      out.off('drain', go);
      out.off('close', go);
      resolve();
    };
    out.on('drain', go);
    out.on('close', go);
  });
  return !out.destroyed;
}

/**
 * Sends a body produced in pieces (a large list), holding one chunk at a time: each is
 * written as it comes and the next is asked for only once the socket takes more. Gzipped,
 * as sendBody does, when the client accepts it and the body reaches the threshold — decided
 * after buffering up to the threshold, so a body that stays short is sent as it is. A
 * failure before anything is sent answers `onError`; after that the response is cut off.
 */
export async function sendChunks(
  res: ServerResponse,
  code: number,
  body: { length?: number; chunks: Iterable<Uint8Array> },
  contentType: string,
  warnings: string[],
  onError: (err: unknown) => void,
): Promise<void> {
  const it = body.chunks[Symbol.iterator]();
  const head: Uint8Array[] = [];
  let headSize = 0;
  let done = false;
  const zip = acceptsGzip(res.req?.headers['accept-encoding']);
  try {
    // What is read before deciding: a failure here can still answer with a Status.
    while (headSize < (zip ? GZIP_THRESHOLD_BYTES : 1)) {
      const next = it.next();
      if (next.done) {
        done = true;
        break;
      }
      head.push(next.value);
      headSize += next.value.length;
    }
  } catch (err) {
    onError(err);
    return;
  }
  setWarnings(res, warnings);
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  if (done && !(zip && headSize >= GZIP_THRESHOLD_BYTES)) {
    res.end(head.length === 1 ? head[0] : Buffer.concat(head));
    return;
  }
  let out: Writable = res;
  if (zip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    const gz = createGzip();
    gz.on('error', () => res.destroy());
    gz.pipe(res);
    res.on('close', () => gz.destroy());
    out = gz;
  } else if (body.length !== undefined) {
    res.setHeader('Content-Length', String(body.length));
  }
  try {
    for (const chunk of head) if (!(await writeChunk(out, chunk))) return;
    head.length = 0;
    while (!done) {
      const next = it.next();
      if (next.done) break;
      if (!(await writeChunk(out, next.value))) return;
    }
    out.end();
  } catch {
    // Headers are gone: the client sees a truncated body, as upstream's streaming encoder leaves it.
    res.destroy();
  }
}

/** Sends any error as a Kubernetes Status; `encode` writes it in a negotiated media type (JSON otherwise). */
export function sendError(res: ServerResponse, err: unknown, encode?: (status: ApiError['status']) => { data: Uint8Array; contentType: string }): void {
  const apiErr: ApiError = toApiError(err);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const retry = apiErr.status.details?.retryAfterSeconds;
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  if (apiErr.plainText) {
    // As Go's http.Error writes it.
    res.statusCode = apiErr.status.code;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(`${apiErr.message}\n`);
    return;
  }
  if (encode) {
    const { data, contentType } = encode(apiErr.status);
    sendBody(res, apiErr.status.code, data, contentType);
    return;
  }
  sendJson(res, apiErr.status.code, apiErr.status);
}
