import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KvBackend } from '../kv.js';
import { createLogBackend, type LogBackendOptions } from '../log/log-backend.js';
import { openSqliteLog, type SyncMode } from './sqlite-log.js';

export type { SyncMode } from './sqlite-log.js';

/** Options for {@link createEmbeddedBackend}. */
export interface EmbeddedBackendOptions extends LogBackendOptions {
  /** Directory holding `state.db` (created if missing). */
  dataDir: string;
  /** Commit durability; default FULL (fsync per commit). See {@link SyncMode}. */
  synchronous?: SyncMode;
}

/** The default durable single-node backend: a revision log in `DATA_DIR/state.db`. */
export function createEmbeddedBackend(opts: EmbeddedBackendOptions): KvBackend {
  mkdirSync(opts.dataDir, { recursive: true });
  const log = openSqliteLog(join(opts.dataDir, 'state.db'), opts.synchronous ? { synchronous: opts.synchronous } : {});
  return createLogBackend(log, opts);
}
