/** Writes an admin kubeconfig into the data directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes `DATA_DIR/kubeconfig` pointing at `server` and returns its path. */
export async function writeKubeconfig(dataDir: string, server: string, token: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'kubeconfig');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'wheelhouse', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'wheelhouse', context: { cluster: 'wheelhouse', user: 'admin', namespace: 'default' } }],
    'current-context': 'wheelhouse',
    preferences: {},
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}
