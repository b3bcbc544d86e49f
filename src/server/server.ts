/**
 * Assembles and runs a Wheelhouse server: storage backend → object store → one generic
 * store per enabled resource → the shared pipeline → HTTP gateway and gRPC server.
 */
import type { AddressInfo } from 'node:net';
import { chmod, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { createCatalog, type ApiCatalog } from '../endpoints/catalog.js';
import { createOpenApiPublisher } from '../endpoints/openapi/publisher.js';
import { pino } from 'pino';
import { loggingInterceptor } from '../endpoints/logging.js';
import { createApiMetrics } from '../endpoints/metrics.js';
import { createWatchEncodings } from '../endpoints/watch-encoding.js';

import { createApiHandler, recoveryInterceptor } from '../endpoints/pipeline.js';
import type { ApiHandler } from '../endpoints/api-call.js';
import type { AccessControl } from '../endpoints/auth/access.js';
import { builtinDefinitions } from '../registry/definitions.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import {
  createBackend,
  createObjectStore,
  parseStorageMediaType,
  startCompactor,
  storageCodec,
  type Compactor,
  type KvBackend,
} from '../storage/index.js';
import { createHttpGateway } from '../transports/http/app.js';
import { createUpgradeHandler } from '../transports/http/resource-route.js';
import { startGrpcServer, type GrpcServerHandle } from '../transports/grpc/server.js';
import { advertisedAddress, reconcileKubernetesService } from './bootstrap.js';
import { adminToken, reviewAccessOf, serverAccessControl } from './access.js';
import { startControllers } from './controllers.js';
import { lockDataDir } from './data-dir-lock.js';
import { listenError, StartupError } from './startup-error.js';
import { ensureServerPki, type ServerPki } from './pki/server-pki.js';
import { serviceAccountKeys } from './service-account-keys.js';
import { healthChecks } from './health-checks.js';
import { firstServiceIp, parseIpRange, parsePortRange } from '../registry/core/service-allocator.js';
import { writeKubeconfig } from './kubeconfig.js';
import { NamespaceCache, namespaceCheck } from './namespace-lifecycle.js';
import { DEFAULT_OPTIONS, type ServerOptions } from './options.js';
import { createResourceInstaller } from './resources.js';
import { checkRuntimeConfig, parseRuntimeConfig } from './runtime-config.js';
import { createScheme, type Scheme } from '../machinery/runtime/scheme.js';
import type { ResourceDefinition, ReviewAccess } from '../registry/rest/definition.js';
import { protobufTypeLookup } from './storage-types.js';
import { versionInfo } from './version.js';
import { createWatchCache } from '../storage/cache/watch-cache.js';
import { registerWatchCacheMetrics } from './watch-cache-metrics.js';
import { cachedStore, uncachedResources } from './watch-cache-setup.js';

/** Pending connections the HTTP listener queues (the kernel caps it at net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

/** A running server. */
export interface RunningServer {
  /** `http://host:port` of the HTTP API. */
  url: string;
  httpPort: number;
  grpcPort: number;
  /** `host:port` for gRPC clients. */
  grpcAddress: string;
  /** Full names of the gRPC resource services served right now. */
  grpcServices(): string[];
  kubeconfigPath: string;
  catalog: ApiCatalog;
  /** Every kind of every installed resource version, served or not. */
  scheme: Scheme;
  /**
   * Serves another resource while the server runs (a custom resource); returns the function
   * that stops serving it. Discovery, OpenAPI and routes follow at once.
   */
  installResource(def: ResourceDefinition): () => void;
  handler: ApiHandler;
  backend: KvBackend;
  /** The backend object the object store and the watch cache call (unwrapped; tests count its calls). */
  storageBackend: KvBackend;
  /** Authentication and authorization, shared by both transports. */
  access: AccessControl;
  /**
   * The PKI in the data directory: the CA clients trust (`trustedCaPem`) and the admin's
   * client certificate. The transports serve TLS with it unless `plainHttp`.
   */
  pki: ServerPki;
  /** Whether the HTTP API and gRPC serve TLS (false only with `--plain-http`). */
  tls: boolean;
  close(): Promise<void>;
}

/** Starts a server with `options` (merged over the defaults). */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const opts: ServerOptions = { ...DEFAULT_OPTIONS, ...options };
  const dataDir = resolve(opts.dataDir);
  const mediaType = parseStorageMediaType(opts.storageMediaType);
  // Secrets live here (the embedded store, the admin token and kubeconfig): the server's user only.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);

  // Everything started so far, stopped in reverse order on close or when a later step fails.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const lock = await lockDataDir(dataDir);
    closers.push(() => lock.release());
    const ipRange = parseIpRange(opts.serviceClusterIpRange);
    if (opts.plainHttp && !isLoopback(opts.bindAddress)) {
      throw new StartupError(`--plain-http serves without TLS and is only allowed on a loopback bind address, not ${opts.bindAddress}`);
    }
    const pki = await ensureServerPki({
      dataDir,
      bindAddress: opts.bindAddress,
      serviceIp: firstServiceIp(ipRange),
      ...(opts.tlsCertFile ? { tlsCertFile: opts.tlsCertFile } : {}),
      ...(opts.tlsPrivateKeyFile ? { tlsPrivateKeyFile: opts.tlsPrivateKeyFile } : {}),
      ...(opts.clientCaFile ? { clientCaFile: opts.clientCaFile } : {}),
      ...(opts.serviceAccountSigningKeyFile ? { serviceAccountSigningKeyFile: opts.serviceAccountSigningKeyFile } : {}),
    }).catch((err: unknown) => {
      throw new StartupError(`cannot set up TLS: ${(err as Error).message ?? String(err)}`, { cause: err });
    });
    const saKeys = await serviceAccountKeys(opts, pki);
    const rawBackend = createBackend({ dataDir, etcdServers: opts.etcdServers });
    closers.push(() => rawBackend.close());
    // Every kind of every installed version, served or not: what stored values are read with.
    const scheme = createScheme();
    const codec = storageCodec({ mediaType, protobufType: protobufTypeLookup(scheme) });
    const objects = createObjectStore(rawBackend, { codec });
    const watchCache = opts.watchCache
      ? createWatchCache({
          backend: rawBackend,
          inner: objects,
          codec,
          ...(opts.consistencyCheckIntervalMs !== undefined ? { consistencyCheckIntervalMs: opts.consistencyCheckIntervalMs } : {}),
          ...opts.watchCacheTuning,
        })
      : undefined;
    if (watchCache) closers.push(async () => watchCache.stop());
    const uncached = uncachedResources(opts.watchCacheSizes);
    // Compactions through this backend (the compactor's, and tests') are known to the caches.
    const backend = watchCache ? watchCache.observingCompaction(rawBackend) : rawBackend;
    const namespaceCache = new NamespaceCache();
    const catalog = createCatalog([]);
    // The access reviews answer with the access control, built once the catalog is filled.
    let reviews: ReviewAccess | undefined;
    const resources = createResourceInstaller({
      access: () => reviews,
      objects,
      prefix: opts.etcdPrefix,
      runtimeConfig: opts.runtimeConfig,
      catalog,
      scheme,
      namespaceCheck: namespaceCheck(() => namespaces as ResourceStore, namespaceCache),
      ranges: { serviceClusterIpRange: ipRange.cidr, serviceNodePortRange: parsePortRange(opts.serviceNodePortRange).text },
      storageComponent: opts.etcdServers && opts.etcdServers.length > 0 ? 'etcd-0' : 'storage',
      ...(watchCache ? { storeFor: (def: ResourceDefinition) => (uncached.has(`${def.group}/${def.resource}`) ? undefined : cachedStore(watchCache, opts.etcdPrefix, def)) } : {}),
    });
    checkRuntimeConfig(parseRuntimeConfig(opts.runtimeConfig), builtinDefinitions);
    for (const def of builtinDefinitions) resources.install(def);
    const namespaces = resources.storage('', 'namespaces');
    if (!namespaces) throw new Error('the namespaces resource must be served');
    const logger = pino({ level: opts.logLevel }, pino.destination(2));
    const metrics = createApiMetrics();
    // One set of shared watch event bytes for both transports, counted on /metrics.
    const watchEncodings = createWatchEncodings(metrics.registry);
    if (watchCache) {
      registerWatchCacheMetrics(metrics.registry, watchCache);
      await watchCache.whenReady();
    }
    const admin = await adminToken(dataDir);
    if (opts.plainHttp) logger.warn({ bindAddress: opts.bindAddress }, 'serving WITHOUT TLS (--plain-http): traffic is readable on this host, and kubectl sends no credentials');
    const access = await serverAccessControl(opts, catalog, admin, saKeys);
    reviews = reviewAccessOf(access);
    const handler = createApiHandler(
      catalog,
      [recoveryInterceptor, metrics.interceptor, loggingInterceptor(logger), access.interceptor],
      {
        ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
        ...(opts.proxyAllowLoopback ? { proxyAllowLoopback: true } : {}),
        tokenSigner: saKeys.signer,
      },
    );

    // Reservations kept beside objects (Service IPs and node ports) follow what is stored.
    for (const store of resources.storageStores()) await store.repair?.();
    const controllers = await startControllers({
      catalog,
      handler,
      storage: (group, resource) => resources.storage(group, resource),
      storageStores: () => resources.storageStores(),
      onCatalogChange: (listener) => catalog.onChange(listener),
      namespaces,
      namespaceCache,
      serviceCidr: ipRange.cidr,
    });
    closers.push(() => controllers.stop());
    if (opts.compactionIntervalSeconds > 0) {
      const compactor: Compactor = startCompactor(backend, { intervalMs: opts.compactionIntervalSeconds * 1000 });
      closers.push(() => compactor.stop());
    }

    let ready = false;
    let stopping = false;
    closers.push(async () => {
      stopping = true;
    });
    let httpPort = opts.port;
    const openapi = createOpenApiPublisher(catalog);
    const httpServer: HttpServer = await new Promise((resolveListen, reject) => {
      const listener = createHttpGateway({
        catalog,
        handler,
        version: versionInfo(),
        openapi,
        metrics: metrics.registry,
        watchEncodings,
        serverAddress: () => `${opts.bindAddress}:${httpPort}`,
        health: healthChecks({ backend: rawBackend, ready: () => ready, stopping: () => stopping }),
        access,
        issuerDiscovery: { issuer: saKeys.signer.issuer, jwks: saKeys.jwks },
      });
      // A deep accept queue, as Go's listeners take the system's somaxconn: a storm of watches
      // (1 000 informers reconnecting) arrives while the loop is busy, and must not be reset.
      const server = listenerServer(listener, opts.plainHttp ? undefined : pki).listen(opts.port, opts.bindAddress, LISTEN_BACKLOG, () => resolveListen(server));
      server.on('error', (err) => reject(listenError('the HTTP API', `${opts.bindAddress}:${opts.port}`, err)));
    });
    // Upgraded connections (proxied WebSockets) leave the HTTP server's books: closed here.
    const upgraded = new Set<Duplex>();
    const upgrade = createUpgradeHandler(handler);
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgraded.add(socket);
      socket.on('close', () => upgraded.delete(socket));
      upgrade(req, socket, head);
    });
    closers.push(async () => {
      for (const socket of upgraded) socket.destroy();
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    });
    httpServer.keepAliveTimeout = 65_000;
    httpPort = (httpServer.address() as AddressInfo).port;
    const url = `${opts.plainHttp ? 'http' : 'https'}://${urlHost(opts.bindAddress)}:${httpPort}`;

    const grpcAddress = `${opts.bindAddress}:${opts.grpcPort}`;
    const grpc: GrpcServerHandle = await startGrpcServer({
      catalog,
      handler,
      address: grpcAddress,
      watchEncodings,
      access,
      ...(opts.plainHttp ? {} : { tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, clientCaPem: pki.clientCaPem } }),
    }).catch((err: unknown) => {
      throw listenError('gRPC', grpcAddress, err);
    });
    closers.push(() => grpc.close());
    const services = resources.storage('', 'services');
    const endpoints = resources.storage('', 'endpoints');
    if (services && endpoints) {
      const target = { clusterIp: firstServiceIp(ipRange), address: advertisedAddress(opts.bindAddress), port: httpPort };
      await reconcileKubernetesService(services, endpoints, target, resources.storage('discovery.k8s.io', 'endpointslices'));
    }
    const kubeconfigPath = await writeKubeconfig(dataDir, url, opts.plainHttp ? { token: admin } : { caPem: pki.trustedCaPem, client: pki.admin });
    ready = true;
    logger.debug({ http: url, grpc: `${opts.bindAddress}:${grpc.port}`, storage: opts.etcdServers.length ? 'etcd' : 'embedded', resources: catalog.stores.length }, 'serving');

    return {
      url,
      httpPort,
      grpcPort: grpc.port,
      grpcAddress: `${opts.bindAddress}:${grpc.port}`,
      grpcServices: () => grpc.services,
      kubeconfigPath,
      catalog,
      scheme,
      installResource: (def) => resources.install(def),
      handler,
      backend,
      storageBackend: rawBackend,
      access,
      pki,
      tls: !opts.plainHttp,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Whether a bind address only reaches this host. */
function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

/** The host part of a URL: IPv6 addresses in brackets. */
function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/**
 * The HTTP API's listener: TLS 1.2+ with the serving certificate, asking for (not requiring) a
 * client certificate verified against the client CAs; plain HTTP without a PKI.
 */
function listenerServer(listener: RequestListener, pki: ServerPki | undefined): HttpServer {
  if (!pki) return createHttpServer(listener);
  return createHttpsServer(
    { cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.clientCaPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    listener,
  ) as unknown as HttpServer;
}
