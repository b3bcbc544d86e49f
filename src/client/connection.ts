/**
 * One gRPC channel to the API server, shared by every typed client of a clientset, with the
 * caller's credentials: TLS trusting the server's CA, a client certificate, and/or a bearer
 * token (a static token, or a ServiceAccount token file re-read as the kubelet rotates it).
 */
import { readFileSync } from 'node:fs';
import { Client, credentials, Metadata, type CallOptions, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { loadKubeconfig } from './kubeconfig.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How to reach the server and who to be. */
export interface ConnectOptions {
  /** gRPC `host:port`; default: the kubeconfig's. */
  server?: string;
  /** A kubeconfig path to read credentials (and the address) from; `true` for the default path. */
  kubeconfig?: string | true;
  /** The kubeconfig context (default: its current-context). */
  context?: string;
  /** In a pod: the mounted ServiceAccount token and CA, the server from KUBERNETES_SERVICE_HOST. */
  inCluster?: boolean;
  /** PEM of the CA(s) to trust; default the system's. */
  caPem?: string | Buffer;
  /** PEM client certificate and key: TLS client authentication. */
  certPem?: string | Buffer;
  keyPem?: string | Buffer;
  /** A bearer token. */
  token?: string;
  /** A file holding a bearer token, re-read at most once a minute (ServiceAccount tokens rotate). */
  tokenFile?: string;
  /** Plain-text HTTP/2 (a `--plain-http` server on loopback). */
  insecure?: boolean;
  /** The name to verify the server's certificate against, when it differs from the address. */
  tlsServerName?: string;
  /** Sent as `user-agent`. */
  userAgent?: string;
  /** A deadline for every unary call that sets none (default 60 s; 0 for none). */
  defaultTimeoutMs?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: ChannelOptions;
}

/** Per-call options every client method takes. */
export interface CallOpts {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** The call's deadline from now. */
  timeoutMs?: number;
}

/** The channel and the credentials it sends. */
export class Connection {
  readonly client: Client;
  readonly server: string;
  /** The namespace the kubeconfig context or the pod names, for callers that want a default. */
  readonly namespace: string | undefined;
  private readonly token: () => string | undefined;
  private readonly defaultTimeoutMs: number;

  constructor(options: ConnectOptions = {}) {
    const resolved = resolve(options);
    this.server = resolved.server;
    this.namespace = resolved.namespace;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 60_000;
    this.token = tokenSource(resolved.token, resolved.tokenFile);
    const channelOptions: ChannelOptions = {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.primary_user_agent': options.userAgent ?? 'wheelhouse-client',
      ...(resolved.tlsServerName ? { 'grpc.ssl_target_name_override': resolved.tlsServerName, 'grpc.default_authority': resolved.tlsServerName } : {}),
      ...options.channelOptions,
    };
    this.client = new Client(resolved.server, resolved.channelCredentials, channelOptions);
  }

  /** Metadata for one call: the bearer token when there is one. */
  metadata(): Metadata {
    const md = new Metadata();
    const token = this.token();
    if (token) md.set('authorization', `Bearer ${token}`);
    return md;
  }

  /** grpc-js call options from ours; `streaming` calls get no default deadline. */
  callOptions(opts: CallOpts | undefined, streaming = false): CallOptions {
    const timeout = opts?.timeoutMs ?? (streaming ? 0 : this.defaultTimeoutMs);
    return timeout > 0 ? { deadline: new Date(Date.now() + timeout) } : {};
  }

  close(): void {
    this.client.close();
  }
}

interface Resolved {
  server: string;
  channelCredentials: ChannelCredentials;
  token?: string;
  tokenFile?: string;
  namespace?: string;
  tlsServerName?: string;
}

function resolve(o: ConnectOptions): Resolved {
  let base: Partial<Omit<Resolved, 'channelCredentials'>> & { caPem?: string | Buffer; certPem?: string | Buffer; keyPem?: string | Buffer; insecureSkipTlsVerify?: boolean } = {};
  if (o.inCluster) {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    if (!host) throw new Error('inCluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod)');
    const port = process.env.WHEELHOUSE_GRPC_SERVICE_PORT ?? '6444';
    base = {
      server: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      caPem: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`),
      tokenFile: `${SERVICE_ACCOUNT_DIR}/token`,
      namespace: readFileSync(`${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim(),
    };
  } else if (o.kubeconfig !== undefined) {
    base = loadKubeconfig(o.kubeconfig === true ? undefined : o.kubeconfig, o.context);
  }
  const server = o.server ?? base.server;
  if (!server) throw new Error('connect: no server address (pass `server`, `kubeconfig` or `inCluster`)');
  const caPem = o.caPem ?? base.caPem;
  const certPem = o.certPem ?? base.certPem;
  const keyPem = o.keyPem ?? base.keyPem;
  const buf = (v: string | Buffer | undefined): Buffer | null => (v === undefined ? null : Buffer.from(v));
  const channelCredentials = o.insecure ? credentials.createInsecure() : credentials.createSsl(buf(caPem), buf(keyPem), buf(certPem));
  return {
    server,
    channelCredentials,
    token: o.token ?? base.token,
    tokenFile: o.tokenFile ?? base.tokenFile,
    namespace: base.namespace,
    tlsServerName: o.tlsServerName ?? base.tlsServerName,
  };
}

/** A static token, or one read from a file and re-read once a minute. */
function tokenSource(token: string | undefined, file: string | undefined): () => string | undefined {
  if (token) return () => token;
  if (!file) return () => undefined;
  let cached = '';
  let readAt = 0;
  return () => {
    if (Date.now() - readAt > 60_000) {
      cached = readFileSync(file, 'utf8').trim();
      readAt = Date.now();
    }
    return cached;
  };
}
