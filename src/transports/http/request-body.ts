/**
 * A resource write's body, read off the plain node request as express's raw body parser read
 * it before (same limit, same decoding of Content-Encoding, same failures and wording), so
 * writes never enter express: no body at all when the request declares none, the body
 * inflated for `gzip`, `deflate`, `br` (and `zstd` where node has it), the limit counted on
 * the inflated bytes, and a failure answered only once the rest of the request is read off.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ApiError } from '../../machinery/errors/index.js';
import { MAX_REQUEST_BODY_BYTES } from '../../endpoints/request/body-size.js';

/** The Status of a body over the limit (upstream's wording). */
export function requestTooLarge(): ApiError {
  return new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
}

/** A declared Content-Length over the limit: answered at once, before any of the body is read. */
export function declaresTooLarge(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES;
}

/** Whether the request carries a body at all (a Transfer-Encoding, or a Content-Length that is a number). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

type Decompress = () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;

const zstd = (zlib as unknown as { createZstdDecompress?: () => zlib.Gunzip }).createZstdDecompress;

const DECOMPRESSORS: Record<string, Decompress | undefined> = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  ...(zstd ? { zstd: () => zstd() } : {}),
};

/** A failure while reading: a 413 when the limit is passed, else a 400 with the reader's message. */
class BodyReadError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Reads the request's body, at most `limit` bytes (after decoding). Resolves undefined when the
 * request has none; rejects with the Status to answer (after the request was read to its end,
 * or it ended without one).
 */
export async function readRequestBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer | undefined> {
  if (!hasBody(req)) return undefined;
  const coding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable = req;
  let declared: number | undefined;
  if (coding === 'identity') {
    const length = req.headers['content-length'];
    declared = length === undefined ? undefined : Number(length);
  } else {
    const make = DECOMPRESSORS[coding];
    if (!make) throw new ApiError('BadRequest', `unsupported content encoding "${coding}"`);
    stream = req.pipe(make());
  }
  try {
    return await collect(req, stream, limit, declared);
  } catch (err) {
    if (stream !== req) {
      req.unpipe();
      stream.destroy();
    }
    await drain(req);
    const e = err as BodyReadError;
    throw e.tooLarge ? requestTooLarge() : new ApiError('BadRequest', e.message);
  }
}

/** The bytes of `stream` (the request or its decompressor), failing past `limit` or when the request is cut off. */
function collect(req: IncomingMessage, stream: Readable, limit: number, declared: number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) finish(new BodyReadError('request entity too large', true));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (declared !== undefined && received !== declared) finish(new BodyReadError('request size did not match content length'));
      else finish(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onError = (err: Error): void => finish(new BodyReadError(err.message));
    const onAborted = (): void => finish(new BodyReadError('request aborted'));
    // The connection went before the body's end.
    const onClose = (): void => {
      if (!req.complete) onAborted();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    if (stream !== req) req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

/** Reads off what is left of the request, so the answer follows the whole body as before. */
function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}
