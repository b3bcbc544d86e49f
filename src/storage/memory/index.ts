import type { KvBackend } from '../kv.js';
import { createLogBackend, type LogBackendOptions } from '../log/log-backend.js';
import { createMemoryLog } from './memory-log.js';

/** An in-memory {@link KvBackend} with the same semantics as the embedded store (unit tests only). */
export function createMemoryBackend(opts: LogBackendOptions = {}): KvBackend {
  return createLogBackend(createMemoryLog(), opts);
}
