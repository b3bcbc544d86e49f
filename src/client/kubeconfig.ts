/**
 * Kubeconfig loading, as client-go's clientcmd reads the file kubectl uses: the current (or a
 * named) context's cluster and user. The gRPC address is the cluster's `wheelhouse.dev/grpc`
 * extension (`server: host:port`) when present, else the HTTPS server's host with port + 1
 * (the server's default layout, 6443 and 6444).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** What a kubeconfig context says about reaching and authenticating to the server. */
export interface KubeconfigCredentials {
  /** gRPC `host:port`. */
  server: string;
  /** The HTTPS server URL as written. */
  httpServer: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
  /** The TLS server name to verify, when the file sets `tls-server-name`. */
  tlsServerName?: string;
}

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

type Doc = {
  clusters?: Array<NamedEntry<unknown> & { cluster?: Record<string, unknown> }>;
  users?: Array<NamedEntry<unknown> & { user?: Record<string, unknown> }>;
  contexts?: Array<NamedEntry<unknown> & { context?: { cluster?: string; user?: string; namespace?: string } }>;
  'current-context'?: string;
};

/** The kubeconfig path a client uses by default: $KUBECONFIG's first entry, else ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(':').find((p) => p !== '');
  return env ?? join(homedir(), '.kube', 'config');
}

/** Reads `path` (default: defaultKubeconfigPath()) and resolves `context` (default: current-context). */
export function loadKubeconfig(path = defaultKubeconfigPath(), context?: string): KubeconfigCredentials {
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Doc;
  const base = dirname(path);
  const contextName = context ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === contextName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: context ${JSON.stringify(contextName ?? '')} not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig ${path}: cluster ${JSON.stringify(ctx.cluster ?? '')} not found`);
  const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const dataOrFile = (obj: Record<string, unknown>, data: string, file: string): string | undefined => {
    const inline = str(obj[data]);
    if (inline) return Buffer.from(inline, 'base64').toString('utf8');
    const f = str(obj[file]);
    return f ? readFileSync(isAbsolute(f) ? f : join(base, f), 'utf8') : undefined;
  };
  const httpServer = str(cluster.server);
  if (!httpServer) throw new Error(`kubeconfig ${path}: cluster ${ctx.cluster} has no server`);
  const tokenFile = str(user.tokenFile);
  return {
    server: grpcAddressOf(cluster, httpServer),
    httpServer,
    caPem: dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority'),
    certPem: dataOrFile(user, 'client-certificate-data', 'client-certificate'),
    keyPem: dataOrFile(user, 'client-key-data', 'client-key'),
    token: str(user.token),
    tokenFile: tokenFile && (isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile)),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: str(ctx.namespace),
    tlsServerName: str(cluster['tls-server-name']),
  };
}

function grpcAddressOf(cluster: Record<string, unknown>, httpServer: string): string {
  const extensions = Array.isArray(cluster.extensions) ? (cluster.extensions as Array<{ name?: string; extension?: { server?: string } }>) : [];
  const named = extensions.find((e) => e.name === 'wheelhouse.dev/grpc')?.extension?.server;
  if (named) return named;
  const url = new URL(httpServer);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return `${url.hostname}:${port + 1}`;
}
