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
   * `--authorization-mode`: comma-separated RBAC, AlwaysAllow, AlwaysDeny, asked in order.
   * The default is AlwaysAllow while the server speaks plain HTTP: kubectl and client-go send
   * no credentials over plain HTTP, so no user could be told apart. RBAC is for deployments
   * whose clients do send them (client libraries, curl, the gRPC SDK).
   */
  authorizationMode: string;
  /**
   * `--anonymous-auth`: requests presenting no credentials run as `system:anonymous` on every
   * path (true, the default for now), on none (false), or only on the open paths — health,
   * version, `/.well-known/` — (`open-paths`, the default once the server serves TLS).
   */
  anonymousAuth: boolean | 'open-paths';
  /** `--token-auth-file`: static bearer tokens in kube-apiserver's CSV format. */
  tokenAuthFile?: string;
  /** Watch cache sizes and budgets (tests shorten the event window; no flag). */
  watchCacheTuning?: WatchCacheTuning;
}

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
  authorizationMode: 'AlwaysAllow',
  anonymousAuth: true,
};
