/** The server's health checks: the store answers, start-up is done, shutdown has not begun. */
import type { HealthCheck, HealthEndpoints } from '../endpoints/health.js';
import type { KvBackend } from '../storage/index.js';

export interface HealthSources {
  backend: KvBackend;
  /** Start-up (bootstrap, caches filled) is done. */
  ready: () => boolean;
  /** Shutdown has begun. */
  stopping: () => boolean;
}

export function healthChecks(src: HealthSources): HealthEndpoints {
  const ok: (name: string) => HealthCheck = (name) => ({ name, check: () => undefined });
  // The store answers a read of its current revision (upstream's etcd check reads a key).
  const store = (name: string): HealthCheck => ({
    name,
    async check() {
      await src.backend.currentRevision();
    },
  });
  const started: HealthCheck = {
    name: 'informer-sync',
    check() {
      if (!src.ready()) throw new Error('start-up is not done');
    },
  };
  const shutdown: HealthCheck = {
    name: 'shutdown',
    check() {
      if (src.stopping()) throw new Error('the server is shutting down');
    },
  };
  const basic = [ok('ping'), ok('log'), store('etcd')];
  return { livez: basic, healthz: basic, readyz: [...basic, store('etcd-readiness'), started, shutdown] };
}
