/**
 * `wheelhouse`: runs the API server. `npm start -- --help` lists the flags.
 */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { DEFAULT_OPTIONS, type ServerOptions } from '../server/options.js';
import { startServer } from '../server/server.js';
import { StartupError } from '../server/startup-error.js';
import { adminToken } from '../server/access.js';
import { parseStorageMediaType } from '../storage/media-type.js';
import { builtinDefinitions } from '../registry/definitions.js';
import { parseIpRange, parsePortRange } from '../registry/core/service-allocator.js';
import { checkRuntimeConfig, parseRuntimeConfig } from '../server/runtime-config.js';
import { parseAuthorizationModes } from '../endpoints/authz/authorizer.js';
import { parseGoDuration } from '../util/go-duration.js';
import { selectControllers } from '../components/controller-manager/index.js';
import { startComponents } from './components.js';

const HELP = `wheelhouse — a Kubernetes-compatible API server

Usage: npm start -- [flags]

Flags:
  --data-dir string         where the embedded store and the admin kubeconfig live (default "${DEFAULT_OPTIONS.dataDir}")
  --bind-address string     address to listen on (default "${DEFAULT_OPTIONS.bindAddress}")
  --port int                HTTP API port, 0 picks a free one (default ${DEFAULT_OPTIONS.port})
  --grpc-port int           gRPC port, 0 picks a free one (default ${DEFAULT_OPTIONS.grpcPort})
  --etcd-servers strings    comma-separated etcd endpoints; when given, etcd replaces the embedded store
  --etcd-prefix string      storage key prefix (default "${DEFAULT_OPTIONS.etcdPrefix}")
  --storage-media-type string
                            how objects are written to storage: application/vnd.kubernetes.protobuf or
                            application/json; both are always read (default "${DEFAULT_OPTIONS.storageMediaType}")
  --runtime-config string   comma-separated group/version=true|false overrides (alpha versions are off by default),
                            e.g. "batch/v1=false" or "api/all=true"
  --compaction-interval int storage compaction interval in seconds, 0 disables (default ${DEFAULT_OPTIONS.compactionIntervalSeconds})
  --service-cluster-ip-range string
                            IPv4 CIDR Service cluster IPs are allocated from (default "${DEFAULT_OPTIONS.serviceClusterIpRange}")
  --service-node-port-range string
                            port range Service node ports are allocated from (default "${DEFAULT_OPTIONS.serviceNodePortRange}")
  --watch-cache             serve reads and watches from memory, one storage watch per resource (default true;
                            --watch-cache=false reads the store for every request)
  --watch-cache-sizes strings
                            resource[.group]#size entries; size 0 turns the cache off for that resource,
                            e.g. "pods#0,deployments.apps#0" (other sizes are accepted: the window is dynamic)
  --authorization-mode strings
                            comma-separated authorizers asked in order: RBAC, Node, AlwaysAllow, AlwaysDeny
                            (default "${DEFAULT_OPTIONS.authorizationMode}"); system:masters is always allowed
  --anonymous-auth string   requests without credentials run as system:anonymous everywhere (true), nowhere (false),
                            or only on /livez, /readyz, /healthz, /version, /.well-known/ (open-paths, the default)
  --token-auth-file string  static bearer tokens, one "token,user,uid[,\"group1,group2\"]" CSV line each
  --encryption-provider-config string
                            EncryptionConfiguration (apiserver.config.k8s.io/v1, YAML or JSON): the resources
                            encrypted at rest and their providers (aesgcm, aescbc, secretbox, identity)
  --tls-cert-file string    serving certificate (PEM, chain allowed) for the HTTP API and gRPC; default: one issued by
                            the CA in DATA_DIR/pki, naming localhost, 127.0.0.1, the bind address and kubernetes.default.svc
  --tls-private-key-file string
                            the serving certificate's private key (PEM)
  --client-ca-file string   CA bundle whose client certificates authenticate (CN user, O groups), beside DATA_DIR/pki/ca.crt
  --service-account-issuer strings
                            issuer of the service account tokens this server signs (the first; all are accepted)
                            (default "${DEFAULT_OPTIONS.serviceAccountIssuer.join(',')}")
  --service-account-key-file strings
                            further PEM public keys service account tokens may be signed with
  --service-account-signing-key-file string
                            private key (PEM, EC P-256 or RSA) service account tokens are signed with
                            (default DATA_DIR/pki/sa.key, made on first start)
  --api-audiences strings   audiences a token must name (default: the issuers)
  --audit-policy-file string
                            audit.k8s.io/v1 Policy file: which requests are audited, at which level
  --audit-log-path string   where audit events are written as JSON lines ("-" is standard output); auditing
                            needs both this and --audit-policy-file
  --audit-log-maxsize int   megabytes before the audit log is rotated (default 0: 100)
  --audit-log-maxbackup int rotated audit logs kept (default 0: all)
  --audit-log-maxage int    days a rotated audit log is kept (default 0: any age)
  --plain-http              serve without TLS (loopback bind addresses only; kubectl sends no credentials then)
  --log-level string        log level (default "${DEFAULT_OPTIONS.logLevel}")
  --proxy-allow-loopback    let the services/pods/nodes proxy dial loopback addresses (local development; off by default)
  --max-requests-inflight int
                            reads handled at once; beyond it 429 Too Many Requests, 0 for no limit (default ${DEFAULT_OPTIONS.maxRequestsInflight})
  --max-mutating-requests-inflight int
                            writes handled at once; beyond it 429, 0 for no limit (default ${DEFAULT_OPTIONS.maxMutatingRequestsInflight})
  --request-timeout duration
                            a request other than a watch or proxy that has not answered by then gets 504 Timeout;
                            ?timeout= and gRPC deadlines may shorten it (default 1m0s)
  --shutdown-delay-duration duration
                            after SIGTERM, /readyz fails but the server serves on this long before it stops
                            accepting connections (default 0s)
  --max-connections int     open HTTP connections at most, further ones are closed; 0 for no cap (default ${DEFAULT_OPTIONS.maxConnections})
  --controllers strings     controllers the controller manager runs beside the server: * for all (the default),
                            -name to leave one out, none for a bare API server as kube-apiserver is (no scheduler either)
  --simulated-nodes int     run N simulated nodes (node-1…node-N) that register, heartbeat and run bound pods (default 0)
  -h, --help                show this help
`;

function parsePort(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid value "${value}" for --${flag}: must be a port number`);
  return n;
}

function parseCount(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`invalid value "${value}" for --${flag}: must be a whole number`);
  return n;
}

/** A Go duration (`30s`, `1m0s`) in milliseconds, not negative. */
function parseDuration(flag: string, value: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (err) {
    throw new Error(`invalid value "${value}" for --${flag}: ${(err as Error).message}`);
  }
  if (ms < 0) throw new Error(`invalid value "${value}" for --${flag}: must not be negative`);
  return ms;
}

function parseBool(flag: string, value: string): boolean {
  if (value === 'true' || value === '') return true;
  if (value === 'false') return false;
  throw new Error(`invalid value "${value}" for --${flag}: must be true or false`);
}

/** `resource[.group]#size,...`: each entry names a resource and a non-negative whole size. */
function parseWatchCacheSizes(value: string): string[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of entries) {
    const m = /^([a-z0-9.-]+)#(\d+)$/.exec(e);
    if (!m) throw new Error(`invalid value "${e}" for --watch-cache-sizes: must be resource[.group]#size`);
  }
  return entries;
}

/** What runs beside the server (src/cmd/components.ts). */
interface ComponentFlags {
  controllers: string[];
  simulatedNodes: number;
}

function parseOptions(argv: string[]): (ServerOptions & { components: ComponentFlags }) | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      'bind-address': { type: 'string' },
      port: { type: 'string' },
      'grpc-port': { type: 'string' },
      'etcd-servers': { type: 'string' },
      'etcd-prefix': { type: 'string' },
      'storage-media-type': { type: 'string' },
      'runtime-config': { type: 'string' },
      'compaction-interval': { type: 'string' },
      'log-level': { type: 'string' },
      'service-cluster-ip-range': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'proxy-allow-loopback': { type: 'boolean' },
      'watch-cache': { type: 'string' },
      'watch-cache-sizes': { type: 'string' },
      'authorization-mode': { type: 'string' },
      'anonymous-auth': { type: 'string' },
      'token-auth-file': { type: 'string' },
      'encryption-provider-config': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'client-ca-file': { type: 'string' },
      'service-account-issuer': { type: 'string', multiple: true },
      'service-account-key-file': { type: 'string', multiple: true },
      'service-account-signing-key-file': { type: 'string' },
      'api-audiences': { type: 'string' },
      'plain-http': { type: 'boolean' },
      'audit-policy-file': { type: 'string' },
      'audit-log-path': { type: 'string' },
      'audit-log-maxsize': { type: 'string' },
      'audit-log-maxbackup': { type: 'string' },
      'audit-log-maxage': { type: 'string' },
      'max-requests-inflight': { type: 'string' },
      'max-mutating-requests-inflight': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-connections': { type: 'string' },
      'shutdown-delay-duration': { type: 'string' },
      controllers: { type: 'string' },
      'simulated-nodes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const controllers = (values.controllers ?? '*').split(',').map((c) => c.trim()).filter(Boolean);
  const components: ComponentFlags = {
    controllers: controllers.includes('none') ? [] : controllers,
    simulatedNodes: values['simulated-nodes'] === undefined ? 0 : parseCount('simulated-nodes', values['simulated-nodes']),
  };
  if (components.controllers.length > 0) selectControllers(components.controllers);
  const opts: ServerOptions & { components: ComponentFlags } = { ...DEFAULT_OPTIONS, components };
  if (values['data-dir'] !== undefined) opts.dataDir = values['data-dir'];
  if (values['bind-address'] !== undefined) opts.bindAddress = values['bind-address'];
  if (values.port !== undefined) opts.port = parsePort('port', values.port);
  if (values['grpc-port'] !== undefined) opts.grpcPort = parsePort('grpc-port', values['grpc-port']);
  if (values['etcd-servers'] !== undefined) opts.etcdServers = values['etcd-servers'].split(',').map((s) => s.trim()).filter(Boolean);
  if (values['etcd-prefix'] !== undefined) opts.etcdPrefix = values['etcd-prefix'];
  if (values['storage-media-type'] !== undefined) opts.storageMediaType = parseStorageMediaType(values['storage-media-type']);
  if (values['runtime-config'] !== undefined) {
    checkRuntimeConfig(parseRuntimeConfig(values['runtime-config']), builtinDefinitions);
    opts.runtimeConfig = values['runtime-config'];
  }
  if (values['compaction-interval'] !== undefined) {
    const seconds = Number(values['compaction-interval']);
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new Error(`invalid value "${values['compaction-interval']}" for --compaction-interval: must be a whole number of seconds`);
    }
    opts.compactionIntervalSeconds = seconds;
  }
  if (values['log-level'] !== undefined) opts.logLevel = values['log-level'];
  if (values['service-cluster-ip-range'] !== undefined) opts.serviceClusterIpRange = parseIpRange(values['service-cluster-ip-range']).cidr;
  if (values['service-node-port-range'] !== undefined) opts.serviceNodePortRange = parsePortRange(values['service-node-port-range']).text;
  if (values['proxy-allow-loopback']) opts.proxyAllowLoopback = true;
  if (values['watch-cache'] !== undefined) opts.watchCache = parseBool('watch-cache', values['watch-cache']);
  if (values['watch-cache-sizes'] !== undefined) opts.watchCacheSizes = parseWatchCacheSizes(values['watch-cache-sizes']);
  if (values['authorization-mode'] !== undefined) opts.authorizationMode = parseAuthorizationModes(values['authorization-mode']).join(',');
  if (values['anonymous-auth'] !== undefined) {
    opts.anonymousAuth = values['anonymous-auth'] === 'open-paths' ? 'open-paths' : parseBool('anonymous-auth', values['anonymous-auth']);
  }
  if (values['token-auth-file'] !== undefined) opts.tokenAuthFile = values['token-auth-file'];
  if (values['encryption-provider-config'] !== undefined) opts.encryptionProviderConfig = values['encryption-provider-config'];
  if (values['tls-cert-file'] !== undefined) opts.tlsCertFile = values['tls-cert-file'];
  if (values['tls-private-key-file'] !== undefined) opts.tlsPrivateKeyFile = values['tls-private-key-file'];
  if (values['client-ca-file'] !== undefined) opts.clientCaFile = values['client-ca-file'];
  const list = (v: string[]): string[] => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (values['service-account-issuer'] !== undefined) opts.serviceAccountIssuer = list(values['service-account-issuer']);
  if (values['service-account-key-file'] !== undefined) opts.serviceAccountKeyFiles = list(values['service-account-key-file']);
  if (values['service-account-signing-key-file'] !== undefined) opts.serviceAccountSigningKeyFile = values['service-account-signing-key-file'];
  if (values['api-audiences'] !== undefined) opts.apiAudiences = list([values['api-audiences']]);
  if (values['plain-http']) opts.plainHttp = true;
  if (values['audit-policy-file'] !== undefined) opts.auditPolicyFile = values['audit-policy-file'];
  if (values['audit-log-path'] !== undefined) opts.auditLogPath = values['audit-log-path'];
  if (values['audit-log-maxsize'] !== undefined) opts.auditLogMaxSize = parseCount('audit-log-maxsize', values['audit-log-maxsize']);
  if (values['audit-log-maxbackup'] !== undefined) opts.auditLogMaxBackup = parseCount('audit-log-maxbackup', values['audit-log-maxbackup']);
  if (values['audit-log-maxage'] !== undefined) opts.auditLogMaxAge = parseCount('audit-log-maxage', values['audit-log-maxage']);
  if (values['max-requests-inflight'] !== undefined) opts.maxRequestsInflight = parseCount('max-requests-inflight', values['max-requests-inflight']);
  if (values['max-mutating-requests-inflight'] !== undefined) {
    opts.maxMutatingRequestsInflight = parseCount('max-mutating-requests-inflight', values['max-mutating-requests-inflight']);
  }
  if (values['max-connections'] !== undefined) opts.maxConnections = parseCount('max-connections', values['max-connections']);
  if (values['request-timeout'] !== undefined) opts.requestTimeoutMs = parseDuration('request-timeout', values['request-timeout']);
  if (values['shutdown-delay-duration'] !== undefined) opts.shutdownDelayMs = parseDuration('shutdown-delay-duration', values['shutdown-delay-duration']);
  return opts;
}

async function main(): Promise<void> {
  let opts: (ServerOptions & { components: ComponentFlags }) | undefined;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (!opts) {
    process.stdout.write(HELP);
    return;
  }
  const server = await startServer(opts);
  const rel = relative(process.cwd(), server.kubeconfigPath);
  const kubeconfig = rel && !rel.startsWith('..') ? rel : server.kubeconfigPath;
  const storage = opts.etcdServers.length ? `etcd ${opts.etcdServers.join(',')}` : `embedded store in ${opts.dataDir}`;
  process.stdout.write(
    [
      `Wheelhouse is serving the Kubernetes API (${storage}).`,
      `  HTTP API:  ${server.url}`,
      `  gRPC:      ${server.grpcAddress}`,
      `  kubeconfig: ${kubeconfig}`,
      '',
      'Try:',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl get namespaces',
      '',
    ].join('\n'),
  );
  const componentsStop = new AbortController();
  let componentRuns: Promise<void>[] = [];
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // The components stop (releasing their Leases while the server still answers) as the server's own
    // shutdown begins: /readyz fails at once, and the server serves on through its delay.
    componentsStop.abort();
    const componentsStopped = Promise.race([Promise.all(componentRuns), new Promise((r) => setTimeout(r, 3_000))]);
    Promise.all([server.shutdown(), componentsStopped])
      .then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`wheelhouse: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started once a stop can find them: a signal meanwhile stops whatever has started.
  const { components } = opts;
  componentRuns = await startComponents(
    {
      dataDir: opts.dataDir,
      grpcAddress: server.grpcAddress,
      caPem: server.pki.trustedCaPem,
      plainToken: opts.plainHttp ? await adminToken(opts.dataDir) : undefined,
      tlsServerName: opts.tlsCertFile ? undefined : 'localhost',
      controllers: components.controllers,
      scheduler: components.controllers.length > 0,
      simulatedNodes: components.simulatedNodes,
      log: (m) => process.stderr.write(`${m}\n`),
    },
    componentsStop.signal,
  );
}

void main().catch((err: unknown) => {
  // An operator's problem is one line; anything else keeps its stack for a bug report.
  const text = err instanceof StartupError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`wheelhouse: ${text}\n`);
  process.exit(1);
});
