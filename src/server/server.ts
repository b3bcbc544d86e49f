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
import { setMaxListeners } from 'node:events';
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
import {
  createBackend,
  createObjectStore,
  parseStorageMediaType,
  startCompactor,
  storageCodec,
  withValueTransformer,
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
import { auditPolicyOf, serverAudit } from './audit.js';
import { listenError, StartupError } from './startup-error.js';
import { ensureServerPki, type ServerPki } from './pki/server-pki.js';
import { serviceAccountKeys } from './service-account-keys.js';
import { healthChecks } from './health-checks.js';
import { waitForStorage } from './storage-wait.js';
import { createStartingListener } from '../transports/http/starting.js';
import { firstServiceIp, parseIpRange, parsePortRange } from '../registry/core/service-allocator.js';
import { writeKubeconfig } from './kubeconfig.js';
import { NamespaceCache } from '../endpoints/admission/namespace-lifecycle.js';
import { serverAdmissionChain } from './admission.js';
import { dynamicAdmission } from './admission-webhooks.js';
import { DEFAULT_CONNECTION_TIMEOUTS, DEFAULT_OPTIONS, MAX_HEADER_BYTES, type ServerOptions } from './options.js';
import { createInflightLimiter } from '../endpoints/limits/max-inflight.js';
import { requestDeadlineInterceptor } from '../endpoints/limits/request-deadline.js';
import { createRequestWaitGroup } from '../endpoints/limits/wait-group.js';
import { createResourceInstaller } from './resources.js';
import { checkRuntimeConfig, parseRuntimeConfig } from './runtime-config.js';
import { createScheme, type Scheme } from '../machinery/runtime/scheme.js';
import type { ResourceDefinition, ReviewAccess } from '../registry/rest/definition.js';
import { protobufTypeLookup } from './storage-types.js';
import { versionInfo } from './version.js';
import { createWatchCache } from '../storage/cache/watch-cache.js';
import { registerWatchCacheMetrics } from './watch-cache-metrics.js';
import { cachedStore, uncachedResources } from './watch-cache-setup.js';
import { encryptionAtRest, loadEncryptionConfig } from './encryption-at-rest.js';
import { identityTransformer } from '../storage/value/index.js';

/** Pending connections the HTTP listener queues (the kernel caps it at net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

/** How long a graceful shutdown waits, once calls are done, for their connections to close. */
const FINAL_WRITES_MS = 2000;

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
  /** Stops at once: open requests and connections are cut off. */
  close(): Promise<void>;
  /**
   * Stops gracefully (SIGTERM): /readyz fails, no new connections are accepted, open watches
   * end cleanly (HTTP: the chunked response is terminated; gRPC: the stream ends OK), calls in
   * progress finish (within the request timeout; new ones on open connections get 503), then
   * everything is closed.
   */
  shutdown(): Promise<void>;
}

/** Starts a server with `options` (merged over the defaults). */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const opts: ServerOptions = { ...DEFAULT_OPTIONS, ...options };
  const dataDir = resolve(opts.dataDir);
  const mediaType = parseStorageMediaType(opts.storageMediaType);
  // A bad encryption configuration stops the start before anything is made.
  const encryptionConfig = opts.encryptionProviderConfig ? await loadEncryptionConfig(opts.encryptionProviderConfig) : undefined;
  const auditPolicy = auditPolicyOf(opts);
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
    const logger = pino({ level: opts.logLevel }, pino.destination(2));

    let ready = false;
    let stopping = false;
    const health = healthChecks({ backend: rawBackend, ready: () => ready, stopping: () => stopping });
    // Aborted when a graceful shutdown begins: HTTP watches end.
    const shutdownSignal = new AbortController();
    setMaxListeners(0, shutdownSignal.signal);
    const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, ...opts.connectionTimeouts };
    // The HTTP listener is up first: until the API is (storage may not be reachable yet), it
    // answers the health endpoints — not ready — and 503 for the rest (transports/http/starting.ts).
    let listener: RequestListener = createStartingListener(health);
    let upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
    const httpServer: HttpServer = await new Promise((resolveListen, reject) => {
      // A deep accept queue, as Go's listeners take the system's somaxconn: a storm of watches
      // (1 000 informers reconnecting) arrives while the loop is busy, and must not be reset.
      const server = listenerServer((req, res) => listener(req, res), opts.plainHttp ? undefined : pki, timeouts);
      // Slow clients: headers trickled in (slowloris) are cut off, idle keep-alive connections closed.
      server.headersTimeout = timeouts.headersTimeoutMs;
      server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
      if (opts.maxConnections > 0) server.maxConnections = opts.maxConnections;
      server.listen(opts.port, opts.bindAddress, LISTEN_BACKLOG, () => resolveListen(server));
      server.on('error', (err) => reject(listenError('the HTTP API', `${opts.bindAddress}:${opts.port}`, err)));
    });
    // Upgraded connections (proxied WebSockets) leave the HTTP server's books: closed here.
    const upgraded = new Set<Duplex>();
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!upgrade) {
        socket.destroy();
        return;
      }
      upgraded.add(socket);
      socket.on('close', () => upgraded.delete(socket));
      upgrade(req, socket, head);
    });
    // Every TCP connection, whatever its state: closing cuts them all, as Go's Server.Close does.
    // closeAllConnections() knows only HTTP connections, not a TLS handshake in progress nor a
    // TLS socket whose close waits on a peer that stopped reading; either kept close() waiting.
    const connections = new Set<Duplex>();
    httpServer.on('connection', (socket: Duplex) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
    });
    let httpClosing: Promise<void> | undefined;
    const closeHttp = (): Promise<void> =>
      (httpClosing ??= (async () => {
        for (const socket of upgraded) socket.destroy();
        const closed = new Promise<void>((r) => httpServer.close(() => r()));
        httpServer.closeAllConnections();
        for (const socket of connections) socket.destroy();
        await closed;
      })());
    closers.push(closeHttp);
    let httpPort = (httpServer.address() as AddressInfo).port;
    // etcd down or still starting: wait for it rather than fail (the embedded store is at hand).
    if (opts.etcdServers.length > 0) await waitForStorage(rawBackend, logger);
    // Every kind of every installed version, served or not: what stored values are read with.
    const scheme = createScheme();
    // Encryption at rest: each stored resource's values through its configured transformer;
    // without a configuration every value is plaintext and an encrypted one does not read.
    const encryption = encryptionConfig ? encryptionAtRest(encryptionConfig) : undefined;
    const codec = withValueTransformer(
      storageCodec({ mediaType, protobufType: protobufTypeLookup(scheme) }),
      encryption ? (key) => encryption.keys.forKey(key) : () => identityTransformer,
    );
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
    // The plugins look stores up as they admit, so the chain exists before the stores do.
    const dynamic = dynamicAdmission(catalog);
    closers.push(async () => dynamic.stop());
    const admission = serverAdmissionChain({ storage: (group, resource) => resources.storage(group, resource), namespaceCache, dynamic });
    const resources = createResourceInstaller({
      access: () => reviews,
      objects,
      prefix: opts.etcdPrefix,
      runtimeConfig: opts.runtimeConfig,
      catalog,
      scheme,
      admission,
      ranges: { serviceClusterIpRange: ipRange.cidr, serviceNodePortRange: parsePortRange(opts.serviceNodePortRange).text },
      storageComponent: opts.etcdServers && opts.etcdServers.length > 0 ? 'etcd-0' : 'storage',
      ...(encryption ? { storedAt: encryption.storedAt } : {}),
      ...(watchCache ? { storeFor: (def: ResourceDefinition) => (uncached.has(`${def.group}/${def.resource}`) ? undefined : cachedStore(watchCache, opts.etcdPrefix, def)) } : {}),
    });
    checkRuntimeConfig(parseRuntimeConfig(opts.runtimeConfig), builtinDefinitions);
    for (const def of builtinDefinitions) resources.install(def);
    const namespaces = resources.storage('', 'namespaces');
    if (!namespaces) throw new Error('the namespaces resource must be served');
    const audit = serverAudit(opts, auditPolicy, logger);
    if (audit) closers.push(() => audit.backend.close());
    const metrics = createApiMetrics();
    // One set of shared watch event bytes for both transports, counted on /metrics.
    const watchEncodings = createWatchEncodings(metrics.registry);
    if (watchCache) {
      registerWatchCacheMetrics(metrics.registry, watchCache);
      await watchCache.whenReady();
    }
    // The webhook and policy configurations are followed once their resources are installed.
    dynamic.start();
    const admin = await adminToken(dataDir);
    if (opts.plainHttp) logger.warn({ bindAddress: opts.bindAddress }, 'serving WITHOUT TLS (--plain-http): traffic is readable on this host, and kubectl sends no credentials');
    const access = await serverAccessControl(opts, catalog, admin, saKeys);
    reviews = reviewAccessOf(access);
    // As upstream's handler chain: the wait group and the deadline outside authentication, the
    // in-flight limit inside it (system:masters is never refused).
    const waitGroup = createRequestWaitGroup();
    const inflight = createInflightLimiter({ maxRequestsInflight: opts.maxRequestsInflight, maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight });
    const handler = createApiHandler(
      catalog,
      [
        recoveryInterceptor,
        ...(audit ? [audit.auditor.interceptor] : []),
        metrics.interceptor,
        loggingInterceptor(logger),
        waitGroup.interceptor,
        requestDeadlineInterceptor(opts.requestTimeoutMs),
        access.interceptor,
        inflight.interceptor,
      ],
      {
        ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
        ...(opts.proxyAllowLoopback ? { proxyAllowLoopback: true } : {}),
        tokenSigner: saKeys.signer,
        admission,
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

    closers.push(async () => {
      stopping = true;
    });
    const openapi = createOpenApiPublisher(catalog);
    // The API takes over the listener.
    listener = createHttpGateway({
      catalog,
      handler,
      version: versionInfo(),
      openapi,
      metrics: metrics.registry,
      watchEncodings,
      serverAddress: () => `${opts.bindAddress}:${httpPort}`,
      health,
      access,
      issuerDiscovery: { issuer: saKeys.signer.issuer, jwks: saKeys.jwks },
      shutdown: shutdownSignal.signal,
      inflight,
      ...(audit ? { auditor: audit.auditor } : {}),
    });
    upgrade = createUpgradeHandler(handler);
    // Closed before what it serves from (pushed first too, for a failed start).
    closers.push(closeHttp);
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
    const shutdown = async (): Promise<void> => {
      if (stopping) return closeAll();
      stopping = true;
      if (opts.shutdownDelayMs > 0) {
        logger.info({ delayMs: opts.shutdownDelayMs }, 'shutting down: /readyz fails, serving on for the shutdown delay');
        await new Promise((r) => setTimeout(r, opts.shutdownDelayMs));
      }
      logger.info('shutting down: no new connections; open watches end, calls in progress finish');
      const httpClosed = new Promise<void>((r) => httpServer.close(() => r()));
      httpServer.closeIdleConnections();
      shutdownSignal.abort();
      const grace = opts.requestTimeoutMs > 0 ? opts.requestTimeoutMs : 60_000;
      await Promise.all([waitGroup.drain(grace), grpc.close(grace)]);
      // The last answers are written, and their connections close as they go idle (a proxied
      // stream may not: it is cut off after a moment).
      const idle = setInterval(() => httpServer.closeIdleConnections(), 50);
      await Promise.race([httpClosed, new Promise((r) => setTimeout(r, FINAL_WRITES_MS))]);
      clearInterval(idle);
      await closeAll();
    };
    const services = resources.storage('', 'services');
    const endpoints = resources.storage('', 'endpoints');
    if (services && endpoints) {
      const target = { clusterIp: firstServiceIp(ipRange), address: advertisedAddress(opts.bindAddress), port: httpPort };
      await reconcileKubernetesService(services, endpoints, target, resources.storage('discovery.k8s.io', 'endpointslices'));
    }
    const kubeconfigPath = await writeKubeconfig(dataDir, url, `${opts.bindAddress}:${grpc.port}`, opts.plainHttp ? { token: admin } : { caPem: pki.trustedCaPem, client: pki.admin });
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
      shutdown,
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
 * client certificate verified against the client CAs; plain HTTP without a PKI. The TLS
 * handshake must end within the headers timeout, as Go's server reads the handshake under its
 * header deadline: a client that never finishes it is cut off like a slow one.
 */
function listenerServer(listener: RequestListener, pki: ServerPki | undefined, timeouts: { checkIntervalMs: number; headersTimeoutMs: number }): HttpServer {
  const http = { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: timeouts.checkIntervalMs };
  if (!pki) return createHttpServer(http, listener);
  return createHttpsServer(
    { ...http, handshakeTimeout: timeouts.headersTimeoutMs, cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.clientCaPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    listener,
  ) as unknown as HttpServer;
}
