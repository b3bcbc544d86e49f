/**
 * Resource requests over HTTP: the path, query, headers and raw body become an ApiCall;
 * the pipeline resolves and runs it; the result goes back in the negotiated format.
 * Nothing here knows resources, scopes or body formats.
 */
import type { Request, Response } from 'express';
import { DEFAULT_USER, type ApiCall, type ApiHandler } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { resourceNotFound } from '../../endpoints/pipeline.js';
import { printerFor } from '../../endpoints/table/convert.js';
import { renderObject, renderWatch, type OutputFormat } from '../../endpoints/table/render.js';
import { httpCredentials } from './credentials.js';
import { acceptsJson, parseAccept } from './negotiate.js';
import { negotiateOutput } from './output-format.js';
import { isWatch, parseCallOptions } from './query-options.js';
import { parseResourcePath } from './request-info.js';
import { sendJson } from './respond.js';
import { streamWatch } from './watch-stream.js';

type Query = Record<string, string | string[] | undefined>;

/** Serves one resource request. */
export async function serveResource(catalog: ApiCatalog, handler: ApiHandler, req: Request, res: Response): Promise<void> {
  const info = parseResourcePath(req.path);
  if (!info) throw resourceNotFound();
  const query = req.query as Query;
  const reads = req.method === 'GET' || req.method === 'HEAD';
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const call: ApiCall = {
    action: { method: req.method, watch: reads && isWatch(query) },
    ...info,
    credentials: httpCredentials(req),
    options: parseCallOptions(query),
    user: DEFAULT_USER,
    signal: abort.signal,
  };
  const userAgent = req.headers['user-agent'];
  if (userAgent) call.userAgent = userAgent;
  if (!reads) {
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const contentType = req.headers['content-type'];
    call.body = contentType === undefined ? { type: 'encoded', data } : { type: 'encoded', data, contentType };
  }

  // Tables and partial metadata are views of reads; writes answer with the object.
  const ranges = parseAccept(req.headers.accept);
  const includeObject = typeof query.includeObject === 'string' ? query.includeObject : undefined;
  const format: OutputFormat = reads ? negotiateOutput(ranges, includeObject) : acceptsJson(ranges) ? { as: 'object' } : negotiateOutput(ranges, undefined);

  const result = await handler(call);
  const def = catalog.resource(info.group, info.version, info.resource)?.definition;
  const printing = def && format.as !== 'object' ? printerFor(def, info.subresource) : undefined;
  if (result.type === 'watch') {
    await streamWatch(res, printing ? renderWatch(printing, format, result) : result.events, abort);
    return;
  }
  const body = printing && result.object.kind !== 'Status' ? renderObject(printing, format, result.object) : result.object;
  sendJson(res, result.code, body, result.warnings ?? []);
}
