/**
 * The gRPC transport: one typed service per served kind, derived from the catalog and
 * run through the same pipeline as HTTP, plus grpc.health.v1 and server reflection.
 */
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ApiHandler } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { methodHandler, type MethodScope } from './methods.js';
import { addReflection } from './reflection.js';
import { serviceForDefinition } from './services.js';

/** The standard health service, listed by reflection beside the resource services. */
const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** What the gRPC server needs. */
export interface GrpcServerOptions {
  catalog: ApiCatalog;
  handler: ApiHandler;
  /** host:port to bind (port 0 picks a free one). */
  address: string;
}

/** A running gRPC server. */
export interface GrpcServerHandle {
  port: number;
  /** Full names of the registered resource services. */
  services: string[];
  close(): Promise<void>;
}

/** Registers the generated service of every served resource; a served resource without one fails the start. */
export function addResourceServices(
  server: Server,
  catalog: ApiCatalog,
  handler: ApiHandler,
  extra: Pick<MethodScope, 'shutdown'> = {},
): string[] {
  const names: string[] = [];
  for (const store of catalog.stores) {
    const def = store.definition;
    const service = serviceForDefinition(def);
    const impl: UntypedServiceImplementation = {};
    for (const method of Object.keys(service.definition)) {
      const h = methodHandler({ ...extra, def, handler }, method);
      if (!h) throw new Error(`${service.name}: no handler for method ${method}`);
      impl[method] = h;
    }
    server.addService(service.definition, impl);
    names.push(service.name);
  }
  return names;
}

/** Starts the gRPC server on `address`. */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServerHandle> {
  const server = new Server();
  const lifecycle = new AbortController();
  const extra: Pick<MethodScope, 'shutdown'> = { shutdown: lifecycle.signal };
  const services = addResourceServices(server, opts.catalog, opts.handler, extra);
  const health = new HealthImplementation({ '': 'SERVING', ...Object.fromEntries(services.map((s) => [s, 'SERVING' as const])) });
  health.addToServer(server);
  addReflection(server, [...services, HEALTH_SERVICE]);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(opts.address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    port,
    services,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of services) health.setStatus(s, 'NOT_SERVING');
        health.setStatus('', 'NOT_SERVING');
        lifecycle.abort();
        // Watches end on lifecycle.abort(); anything still open after a grace period is cut off.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
