/** Writing objects and Status errors as JSON responses. */
import type { Response } from 'express';
import { type ApiError, toApiError } from '../../machinery/errors/index.js';

/** Sends a JSON body with a status code and optional warnings. */
export function sendJson(res: Response, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  for (const w of warnings) res.append('Warning', `299 - ${JSON.stringify(w)}`);
  res.status(code);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(JSON.stringify(body));
}

/** Sends any error as a Kubernetes Status. */
export function sendError(res: Response, err: unknown): void {
  const apiErr: ApiError = toApiError(err);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const retry = apiErr.status.details?.retryAfterSeconds;
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  sendJson(res, apiErr.status.code, apiErr.status);
}
