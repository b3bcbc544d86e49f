import type { KvBackend } from './kv.js';

/** Options for {@link startCompactor}. */
export interface CompactorOptions {
  /** How often to compact (default 5 minutes, like kube-apiserver's --etcd-compaction-interval). */
  intervalMs?: number;
  /** How many recent revisions stay readable/watchable (default 1000). */
  keepRevisions?: number;
  /** Called when a compaction fails (the compactor keeps running). */
  onError?: (err: unknown) => void;
}

/** A running periodic compactor. */
export interface Compactor {
  /** Compact once now; resolves with the revision compacted to (0 when nothing to do). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Periodically compact history older than the newest `keepRevisions`
 * revisions. Watchers and continue tokens older than that get Compacted (410)
 * and re-list, exactly as against kube-apiserver.
 */
export function startCompactor(backend: KvBackend, opts: CompactorOptions = {}): Compactor {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const keep = opts.keepRevisions ?? 1000;
  let running: Promise<number> | undefined;

  async function compactOnce(): Promise<number> {
    const current = await backend.currentRevision();
    const target = current - keep;
    if (target <= 0) return 0;
    await backend.compact(target); // a no-op when already compacted that far

    return target;
  }

  const runOnce = (): Promise<number> => {
    running ??= compactOnce().finally(() => (running = undefined));
    return running;
  };

  const timer = setInterval(() => {
    runOnce().catch((err: unknown) => opts.onError?.(err));
  }, intervalMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
