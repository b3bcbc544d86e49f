import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const path = join(opts.dataDir, 'state.db');
  // Readable by the server's user only: SQLite gives its -wal and -shm files the database's mode.
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  const log = openSqliteLog(path, opts.synchronous ? { synchronous: opts.synchronous } : {});
  return createLogBackend(log, opts);
}
