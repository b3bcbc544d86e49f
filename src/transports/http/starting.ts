/**
 * What the HTTP listener serves before the API is up (storage not reachable yet at start):
 * `/livez`, `/readyz` and `/healthz` with the server's own checks — not ready, and etcd failing
 * while it cannot be reached — and a 503 Status for everything else, so clients retry.
 */
import type { RequestListener } from 'node:http';
import express from 'express';
import type { HealthEndpoints } from '../../endpoints/health.js';
import { ApiError } from '../../machinery/errors/index.js';
import { mountHealth } from './health.js';
import { sendError } from './respond.js';

/** The listener of a server still starting. */
export function createStartingListener(health: HealthEndpoints): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  mountHealth(app, health);
  app.use((_req, res) => {
    sendError(res, new ApiError('ServiceUnavailable', 'the server is starting: storage is not reachable yet', { retryAfterSeconds: 1 }));
  });
  return app;
}
