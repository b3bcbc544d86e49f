/**
 * Where a webhook's Service is dialled: one ready address of its Endpoints on the port the
 * Service's port names, as upstream's endpoint service resolver (the aggregator's
 * ResolveEndpoint) picks it. Errors keep upstream's wording; they end up inside the
 * `failed calling webhook` message.
 */
import type { Endpoints, Service } from '../../../../gen/kube/core-v1.js';
import type { CoreObjectLookup } from '../../core-lookup.js';
import type { ServiceResolver } from './client.js';

const CONNECTABLE_TYPES = new Set(['ClusterIP', 'LoadBalancer', 'NodePort']);

/** The resolver over the served Services and Endpoints. */
export function endpointServiceResolver(lookup: CoreObjectLookup): ServiceResolver {
  return async (namespace, name, port) => {
    const svc = (await lookup('services', namespace, name)) as Service | undefined;
    if (!svc) throw new Error(`services "${name}" not found`);
    const type = svc.spec?.type ?? 'ClusterIP';
    if (!CONNECTABLE_TYPES.has(type)) throw new Error(`unsupported service type "${type}"`);
    const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === port);
    if (!svcPort) throw new Error(`no service port ${port} found for service "${name}"`);
    const eps = (await lookup('endpoints', namespace, name)) as Endpoints | undefined;
    if (!eps) throw new Error(`endpoints "${name}" not found`);
    const subsets = eps.subsets ?? [];
    const start = subsets.length > 0 ? Math.floor(Math.random() * subsets.length) : 0;
    for (let i = 0; i < subsets.length; i++) {
      const ss = subsets[(start + i) % subsets.length];
      const addresses = (ss?.addresses ?? []).filter((a) => a.ip);
      if (addresses.length === 0) continue;
      const epPort = (ss?.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
      if (!epPort?.port) continue;
      const addr = addresses[Math.floor(Math.random() * addresses.length)];
      return { host: addr?.ip ?? '', port: epPort.port };
    }
    throw new Error(`no endpoints available for service "${name}"`);
  };
}
