/**
 * `/livez`, `/readyz`, `/healthz` as kube-apiserver writes them: `ok`, or with `?verbose` (and
 * always on failure) one `[+]name ok` / `[-]name failed: reason withheld` line per check and
 * a verdict; `?exclude=name` skips a check; `/readyz/NAME` runs one check.
 */
import type { Express, Request, Response } from 'express';
import { runChecks, type HealthCheck, type HealthEndpoints } from '../../endpoints/health.js';

function send(res: Response, code: number, text: string): void {
  res.status(code).setHeader('X-Content-Type-Options', 'nosniff');
  res.type('text/plain; charset=utf-8').send(text);
}

const values = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

async function serveAll(endpoint: string, checks: readonly HealthCheck[], req: Request, res: Response): Promise<void> {
  const exclude = new Set(values(req.query.exclude).flatMap((v) => v.split(',')).filter((v) => v !== ''));
  const results = await runChecks(checks, exclude);
  const failed = results.some((r) => r.error !== undefined);
  const verbose = req.query.verbose !== undefined;
  if (!failed && !verbose) return send(res, 200, 'ok');
  const lines = results.map((r) => (r.excluded ? `[+]${r.name} excluded: ok` : r.error === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  const unknown = [...exclude].filter((name) => !checks.some((c) => c.name === name));
  if (unknown.length > 0) lines.push(`warn: some health checks cannot be excluded: no matches for ${unknown.map((n) => JSON.stringify(n)).join(',')}`);
  lines.push(failed ? `${endpoint} check failed` : `${endpoint} check passed`);
  send(res, failed ? 500 : 200, `${lines.join('\n')}\n`);
}

/** Mounts the three endpoints and their per-check paths on `app`. */
export function mountHealth(app: Express, endpoints: HealthEndpoints): void {
  for (const endpoint of ['livez', 'readyz', 'healthz'] as const) {
    const checks = endpoints[endpoint];
    app.get(`/${endpoint}`, (req, res, next) => void serveAll(endpoint, checks, req, res).catch(next));
    app.get(`/${endpoint}/:check`, (req, res, next) => {
      const check = checks.find((c) => c.name === req.params.check);
      if (!check) return next();
      void runChecks([check], new Set())
        .then(([r]) => (r?.error === undefined ? send(res, 200, 'ok') : send(res, 500, `internal server error: ${r.error}`)))
        .catch(next);
    });
  }
}
