/** Writes the admin kubeconfig into the data directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KeyPairPem } from './pki/certificates.js';

/** How the admin authenticates: a client certificate over TLS (trusting `caPem`), or a token over plain HTTP. */
export type KubeconfigCredentials = { caPem: string; client: KeyPairPem } | { token: string };

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/**
 * Writes `DATA_DIR/kubeconfig` (0600) pointing at `server` and returns its path. The cluster's
 * `wheelhouse.dev/grpc` extension names the gRPC address, where the SDK (wheelhouse/client)
 * connects; kubectl ignores extensions it does not know.
 */
export async function writeKubeconfig(dataDir: string, server: string, grpcAddress: string, credentials: KubeconfigCredentials): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'kubeconfig');
  const tls = 'caPem' in credentials;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'wheelhouse',
        cluster: {
          ...(tls ? { server, 'certificate-authority-data': b64(credentials.caPem) } : { server, 'insecure-skip-tls-verify': true }),
          extensions: [{ name: 'wheelhouse.dev/grpc', extension: { server: grpcAddress } }],
        },
      },
    ],
    users: [
      {
        name: 'admin',
        user: tls
          ? { 'client-certificate-data': b64(credentials.client.certPem), 'client-key-data': b64(credentials.client.keyPem) }
          : { token: credentials.token },
      },
    ],
    contexts: [{ name: 'wheelhouse', context: { cluster: 'wheelhouse', user: 'admin', namespace: 'default' } }],
    'current-context': 'wheelhouse',
    preferences: {},
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}
