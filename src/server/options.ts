/** Server options: what `wheelhouse` accepts on its command line, validated and completed. */
import { DEFAULT_ALLOCATION_RANGES } from '../registry/rest/definition.js';
import { DEFAULT_STORAGE_MEDIA_TYPE } from '../storage/media-type.js';
import type { WatchCacheTuning } from '../storage/cache/watch-cache.js';

/** Everything needed to run a server. */
export interface ServerOptions {
  /** Where the embedded store and the generated kubeconfig live. */
  dataDir: string;
  bindAddress: string;
  /** HTTP API port (0 = pick a free one). */
  port: number;
  /** gRPC port (0 = pick a free one). */
  grpcPort: number;
  /** etcd endpoints; when non-empty etcd replaces the embedded store. */
  etcdServers: string[];
  /** Storage key prefix, as kube-apiserver's --etcd-prefix. */
  etcdPrefix: string;
  /**
   * How values are written, as kube-apiserver's --storage-media-type:
   * `application/vnd.kubernetes.protobuf` (default) or `application/json`.
   * Both are read whatever it says.
   */
  storageMediaType: string;
  /** `group/version=true|false,...` overrides of which API versions are served. */
  runtimeConfig: string;
  /** Compaction interval in seconds (0 disables). */
  compactionIntervalSeconds: number;
  /** Log level for the structured logger. */
  logLevel: string;
  /** Where Service cluster IPs come from, as kube-apiserver's --service-cluster-ip-range (IPv4 CIDR). */
  serviceClusterIpRange: string;
  /** Where Service node ports come from, as kube-apiserver's --service-node-port-range (`first-last`). */
  serviceNodePortRange: string;
  /** Interval between watch BOOKMARK events (default 60 s; tests shorten it). */
  bookmarkIntervalMs?: number;
  /**
   * `--proxy-allow-loopback`: the services/pods/nodes proxy may dial loopback addresses
   * (local development and tests; off by default, as upstream never dials them).
   */
  proxyAllowLoopback?: boolean;
  /** `--watch-cache`: serve reads and watches from the per-resource watch cache (default true). */
  watchCache: boolean;
  /**
   * `--watch-cache-sizes`: `resource[.group]#size` entries, as kube-apiserver's flag. Sizes are
   * dynamic, so only 0 has an effect: it turns the cache off for that resource.
   */
  watchCacheSizes: readonly string[];
  /** How often each watch cache compares itself with the store (upstream's consistency check; default 5 minutes). */
  consistencyCheckIntervalMs?: number;
  /**
   * `--authorization-mode`: comma-separated RBAC (the default), Node, AlwaysAllow, AlwaysDeny, asked
   * in order; `system:masters` is always allowed.
   */
  authorizationMode: string;
  /**
   * `--anonymous-auth`: requests presenting no credentials run as `system:anonymous` on every
   * path (true), on none (false), or only on the open paths — health, version, `/.well-known/`
   * — (`open-paths`, the default).
   */
  anonymousAuth: boolean | 'open-paths';
  /**
   * `--plain-http`: serve the HTTP API and gRPC without TLS. Only on a loopback bind address,
   * and logged as a warning: kubectl and client-go send no credentials over plain HTTP.
   */
  plainHttp: boolean;
  /** `--tls-cert-file` / `--tls-private-key-file`: the serving certificate (chain) and key; default: issued by the data directory's CA. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** `--client-ca-file`: CAs whose client certificates authenticate, beside the data directory's CA. */
  clientCaFile?: string;
  /** `--service-account-issuer`: the first names the issuer of the tokens this server signs; all are accepted. */
  serviceAccountIssuer: readonly string[];
  /** `--service-account-key-file`: further public keys (PEM) service account tokens may be signed with. */
  serviceAccountKeyFiles: readonly string[];
  /** `--service-account-signing-key-file`: the private key tokens are signed with; default: the data directory's. */
  serviceAccountSigningKeyFile?: string;
  /** `--api-audiences`: the audiences tokens must name (default: the issuers). */
  apiAudiences: readonly string[];
  /** `--token-auth-file`: static bearer tokens in kube-apiserver's CSV format. */
  tokenAuthFile?: string;
  /**
   * `--encryption-provider-config`: an apiserver.config.k8s.io/v1 EncryptionConfiguration
   * (YAML or JSON): which resources are encrypted at rest, and with which providers and keys.
   */
  encryptionProviderConfig?: string;
  /** `--audit-policy-file`: the `audit.k8s.io/v1` Policy deciding what is audited; without it nothing is. */
  auditPolicyFile?: string;
  /** `--audit-log-path`: where audit events go as JSON lines (`-`: standard output); without it nothing is audited. */
  auditLogPath?: string;
  /** `--audit-log-maxsize`: megabytes before the log is rotated (0: 100, lumberjack's default). */
  auditLogMaxSize: number;
  /** `--audit-log-maxbackup`: rotated files kept (0: all). */
  auditLogMaxBackup: number;
  /** `--audit-log-maxage`: days a rotated file is kept (0: any age). */
  auditLogMaxAge: number;
  /** Watch cache sizes and budgets (tests shorten the event window; no flag). */
  watchCacheTuning?: WatchCacheTuning;
  /** `--max-requests-inflight`: reads (get, list) handled at once; beyond it 429 (0: no limit). Default 400, as upstream. */
  maxRequestsInflight: number;
  /** `--max-mutating-requests-inflight`: writes handled at once; beyond it 429 (0: no limit). Default 200, as upstream. */
  maxMutatingRequestsInflight: number;
  /**
   * `--request-timeout` in milliseconds (a Go duration on the command line, default `1m0s`): a
   * call other than a watch or a proxy that has not answered by then gets 504 Timeout. 0: none.
   */
  requestTimeoutMs: number;
  /**
   * `--max-connections`: open HTTP connections at most; further ones are closed as they arrive
   * (0, the default: no cap, as upstream, whose Go listener has none).
   */
  maxConnections: number;
  /**
   * `--shutdown-delay-duration` in milliseconds (default 0, as upstream): after SIGTERM, /readyz
   * fails at once but the server keeps serving this long before it stops accepting connections,
   * so load balancers see it leave first.
   */
  shutdownDelayMs: number;
  /** HTTP connection timeouts (tests shorten them; no flag): see {@link DEFAULT_CONNECTION_TIMEOUTS}. */
  connectionTimeouts?: Partial<ConnectionTimeouts>;
}

/** How long the HTTP listener waits on a connection. */
export interface ConnectionTimeouts {
  /** For a request's headers to arrive in full: a client trickling them is answered 408 and cut off. */
  headersTimeoutMs: number;
  /** For the next request on an idle keep-alive connection, before closing it. */
  keepAliveTimeoutMs: number;
  /** How often connections are checked against the headers timeout. */
  checkIntervalMs: number;
}

/**
 * Upstream's (k8s.io/apiserver's secure serving): ReadHeaderTimeout 32 s, IdleTimeout 90 s; the
 * headers timeout is enforced within a second of passing.
 */
export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { headersTimeoutMs: 32_000, keepAliveTimeoutMs: 90_000, checkIntervalMs: 1_000 };

/**
 * Largest request header block accepted; beyond it 431. Node's own default, set explicitly (so
 * `--max-http-header-size` in NODE_OPTIONS cannot raise it): smaller than upstream's 1 MiB
 * (MaxHeaderBytes), ample for any bearer token or impersonation headers, and a slow client
 * holds at most this much per connection.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Defaults as documented in `--help`. */
export const DEFAULT_OPTIONS: ServerOptions = {
  dataDir: './.wheelhouse',
  bindAddress: '127.0.0.1',
  port: 6443,
  grpcPort: 6444,
  etcdServers: [],
  etcdPrefix: '/registry',
  storageMediaType: DEFAULT_STORAGE_MEDIA_TYPE,
  runtimeConfig: '',
  compactionIntervalSeconds: 300,
  logLevel: 'info',
  serviceClusterIpRange: DEFAULT_ALLOCATION_RANGES.serviceClusterIpRange,
  serviceNodePortRange: DEFAULT_ALLOCATION_RANGES.serviceNodePortRange,
  watchCache: true,
  watchCacheSizes: [],
  authorizationMode: 'RBAC',
  anonymousAuth: 'open-paths',
  plainHttp: false,
  serviceAccountIssuer: ['https://kubernetes.default.svc.cluster.local'],
  serviceAccountKeyFiles: [],
  apiAudiences: [],
  auditLogMaxSize: 0,
  auditLogMaxBackup: 0,
  auditLogMaxAge: 0,
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  requestTimeoutMs: 60_000,
  maxConnections: 0,
  shutdownDelayMs: 0,
};
