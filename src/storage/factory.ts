import type { SyncMode } from './embedded/index.js';
import { createEmbeddedBackend } from './embedded/index.js';
import { createEtcdBackend } from './etcd3/index.js';
import type { KvBackend } from './kv.js';

/** Where state lives: etcd when servers are given, else the embedded store in `dataDir`. */
export interface BackendConfig {
  etcdServers?: string[];
  dataDir: string;
  /** Embedded store only: commit durability (default FULL). */
  synchronous?: SyncMode;
}

/** Create the configured {@link KvBackend}. */
export function createBackend(cfg: BackendConfig): KvBackend {
  const servers = (cfg.etcdServers ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  if (servers.length > 0) return createEtcdBackend({ servers });
  return createEmbeddedBackend({ dataDir: cfg.dataDir, ...(cfg.synchronous ? { synchronous: cfg.synchronous } : {}) });
}
