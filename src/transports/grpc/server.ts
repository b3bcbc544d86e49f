/**
 * The gRPC transport: one typed service per served kind, derived from the catalog (and
 * following it as it changes) and run through the same pipeline as HTTP, plus
 * grpc.health.v1 and server reflection.
 */
import { setMaxListeners } from 'node:events';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ApiHandler } from '../../endpoints/api-call.js';
import type { ApiCatalog } from '../../endpoints/catalog.js';
import { MAX_REQUEST_BODY_BYTES } from '../../endpoints/request/body-size.js';
import type { ServedResource } from '../../registry/rest/served.js';
import { methodHandler, type MethodScope } from './methods.js';
import { addReflection, type Reflection } from './reflection.js';
import { grpcCredentials, type CallPeer } from './credentials.js';
import type { AccessControl } from '../../endpoints/auth/access.js';
import { tolerantRequests } from './request-decoding.js';
import { serviceForDefinition } from './services.js';
import { createWatchEncodings, type WatchEncodings } from '../../endpoints/watch-encoding.js';

/** The standard health service, listed by reflection beside the resource services. */
const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** What the gRPC server needs. */
export interface GrpcServerOptions {
  catalog: ApiCatalog;
  handler: ApiHandler;
  /** host:port to bind (port 0 picks a free one). */
  address: string;
  /** Watch event bytes shared with every other watcher (and the HTTP transport); absent: this server's own. */
  watchEncodings?: WatchEncodings;
  /** TLS: the serving pair and the client CAs; absent: plaintext. */
  tls?: GrpcTls;
  /**
   * The access control: reflection describes the served API as discovery does, so a reflection
   * call is authorised as a `get` of `/apis` (any authenticated user, by system:discovery); absent: open.
   */
  access?: AccessControl;
}

/** The serving certificate and key (PEM), and the CAs client certificates are verified against. */
export interface GrpcTls {
  certPem: string;
  keyPem: string;
  clientCaPem: string;
}

/**
 * TLS 1.2+ credentials that ask for a client certificate without requiring one, as the HTTP
 * listener does: a verified one authenticates its user, and callers may use bearer tokens instead.
 * (grpc-js's createSsl either requires a client certificate or never asks for one.)
 */
class OptionalClientCertCredentials extends ServerCredentials {
  constructor(tls: GrpcTls) {
    super(
      { requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      { ca: tls.clientCaPem, cert: tls.certPem, key: tls.keyPem },
    );
  }
  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

/** A running gRPC server. */
export interface GrpcServerHandle {
  port: number;
  /** Full names of the resource services served right now. */
  readonly services: string[];
  /**
   * Stops: health says NOT_SERVING, watches end (OK), calls in progress may finish for
   * `graceMs` (default 2 s) before the rest are cut off. Later calls wait for the same close.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Message limits: replies are unlimited (a LIST is as large as the collection; clients page or
 * raise their own receive limit), requests may carry twice the largest HTTP body — a typed
 * object or raw bytes plus the request's own fields — so user data never meets gRPC's 4 MiB default.
 */
const SERVER_OPTIONS = {
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': 2 * MAX_REQUEST_BODY_BYTES,
};

/** A registered resource service. */
interface Registered {
  definition: ServiceDefinition;
}

/**
 * The service of every served resource with protobuf messages, by full name; one without a
 * generated service is an error. Kinds without messages (custom resources) have none yet.
 */
function wantedServices(catalog: ApiCatalog): Map<string, { def: ServedResource; definition: ServiceDefinition }> {
  const wanted = new Map<string, { def: ServedResource; definition: ServiceDefinition }>();
  for (const store of catalog.stores) {
    const def = store.definition;
    if (!def.schema.proto) continue;
    const service = serviceForDefinition(def);
    wanted.set(service.name, { def, definition: service.definition });
  }
  return wanted;
}

/**
 * The service as served: its Watch method writes bytes a watcher's handler hands it already
 * serialized (by that method's own serializer, once per event for every watcher), and
 * serializes anything else as generated. The wire format is the generated one either way.
 */
function sharingWatchBytes(definition: ServiceDefinition): { definition: ServiceDefinition; serialize?: (message: unknown) => Buffer } {
  const watch = definition['watch'];
  if (!watch) return { definition };
  const serialize = watch.responseSerialize as (message: unknown) => Buffer;
  const responseSerialize = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : serialize(value));
  return { definition: { ...definition, watch: { ...watch, responseSerialize } }, serialize };
}

function implementation(
  def: ServedResource,
  definition: ServiceDefinition,
  handler: ApiHandler,
  extra: Pick<MethodScope, 'shutdown'>,
  encodings: WatchEncodings,
): { definition: ServiceDefinition; impl: UntypedServiceImplementation } {
  const served = sharingWatchBytes(tolerantRequests(definition));
  const scope: MethodScope = { ...extra, def, handler };
  if (served.serialize) scope.sharedWatch = { encodings, serialize: served.serialize };
  const impl: UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    const h = methodHandler(scope, method);
    if (!h) throw new Error(`${def.group || 'core'}/${def.version} ${def.resource}: no handler for method ${method}`);
    impl[method] = h;
  }
  return { definition: served.definition, impl };
}

/**
 * Starts the gRPC server on `address`. Resource services follow the catalog: a resource
 * served later gets its service (and a place in reflection and health) at once, one no
 * longer served loses it.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServerHandle> {
  const server = new Server(SERVER_OPTIONS);
  const lifecycle = new AbortController();
  // Every open watch listens for shutdown: thousands of them are expected, not a leak.
  setMaxListeners(0, lifecycle.signal);
  const extra: Pick<MethodScope, 'shutdown'> = { shutdown: lifecycle.signal };
  const registered = new Map<string, Registered>();
  const encodings = opts.watchEncodings ?? createWatchEncodings();
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  let reflection: Reflection | undefined;
  const sync = (): void => {
    const wanted = wantedServices(opts.catalog);
    for (const [name, r] of registered) {
      if (wanted.has(name)) continue;
      server.removeService(r.definition);
      health.setStatus(name, 'NOT_SERVING');
      registered.delete(name);
    }
    for (const [name, w] of wanted) {
      if (registered.has(name)) continue;
      const served = implementation(w.def, w.definition, opts.handler, extra, encodings);
      server.addService(served.definition, served.impl);
      health.setStatus(name, 'SERVING');
      registered.set(name, { definition: served.definition });
    }
    reflection?.update([...registered.keys(), HEALTH_SERVICE]);
  };
  sync();
  const access = opts.access;
  const guard = access ? (call: CallPeer) => access.checkPath(grpcCredentials(call), 'get', '/apis') : undefined;
  reflection = addReflection(server, [...registered.keys(), HEALTH_SERVICE], undefined, guard);
  const unsubscribe = opts.catalog.onChange(sync);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(opts.address, opts.tls ? new OptionalClientCertCredentials(opts.tls) : ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    get services() {
      return [...registered.keys()];
    },
    close: (graceMs = 2000) =>
      (closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        for (const s of registered.keys()) health.setStatus(s, 'NOT_SERVING');
        health.setStatus('', 'NOT_SERVING');
        lifecycle.abort();
        // Watches end on lifecycle.abort(); anything still open after a grace period is cut off.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}
