/**
 * Prometheus metrics with kube-apiserver's names, recorded by an interceptor so that
 * HTTP and gRPC calls count alike. Served at /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiError } from '../machinery/errors/index.js';
import type { ApiCall, Interceptor } from './api-call.js';
import { verbLabel } from './request/verb.js';

/** The server's metrics registry and its API instruments. */
export interface ApiMetrics {
  registry: Registry;
  interceptor: Interceptor;
}

function scopeOf(call: ApiCall): string {
  if (call.name) return 'resource';
  return call.namespace ? 'namespace' : 'cluster';
}

/** Creates the registry (with Node process metrics) and the request instruments. */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'code'] as const;
  const requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, version, resource, subresource, scope and response code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope'] as const,
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10, 30, 60],
    registers: [registry],
  });
  const inflight = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests (watches).',
    labelNames: ['verb', 'group', 'version', 'resource', 'scope'] as const,
    registers: [registry],
  });

  // The labelled series of each label set, looked up once: prom-client hashes the labels on
  // every unlabelled call, a visible share of a small request's cost.
  type Base = Record<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope', string>;
  type Series = { duration: ReturnType<typeof duration.labels>; requests(code: number): ReturnType<typeof requests.labels> };
  const seriesByLabels = new Map<string, Series>();
  const seriesOf = (base: Base): Series => {
    const key = `${base.verb}\u0000${base.group}\u0000${base.version}\u0000${base.resource}\u0000${base.subresource}\u0000${base.scope}`;
    let series = seriesByLabels.get(key);
    if (!series) {
      const byCode = new Map<number, ReturnType<typeof requests.labels>>();
      series = {
        duration: duration.labels(base),
        requests(code) {
          let child = byCode.get(code);
          if (!child) byCode.set(code, (child = requests.labels({ ...base, code: String(code) })));
          return child;
        },
      };
      seriesByLabels.set(key, series);
    }
    return series;
  };

  const interceptor: Interceptor = (next) => async (call) => {
    const base = {
      verb: verbLabel(call).toUpperCase(),
      group: call.group,
      version: call.version,
      resource: call.resource,
      subresource: call.subresource ?? '',
      scope: scopeOf(call),
    };
    const series = seriesOf(base);
    const stop = series.duration.startTimer();
    let code = 500;
    try {
      const result = await next(call);
      code = result.type === 'object' ? result.code : 200;
      if (result.type === 'watch') {
        const labels = { verb: base.verb, group: base.group, version: base.version, resource: base.resource, scope: base.scope };
        inflight.inc(labels);
        if (call.signal.aborted) inflight.dec(labels);
        else call.signal.addEventListener('abort', () => inflight.dec(labels), { once: true });
      }
      return result;
    } catch (err) {
      code = err instanceof ApiError ? err.code : 500;
      throw err;
    } finally {
      stop();
      series.requests(code).inc();
    }
  };
  return { registry, interceptor };
}
