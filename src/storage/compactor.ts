import { isStorageError } from './errors.js';
import type { KvBackend } from './kv.js';

/** Options for {@link startCompactor}. */
export interface CompactorOptions {
  /** How often to compact (default 5 minutes, like kube-apiserver's --etcd-compaction-interval). */
  intervalMs?: number;
  /** How many recent revisions stay readable/watchable at least (default 1000). */
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
 * The key whose writes mark the revisions compactions may stop at (kube-apiserver's
 * compactor writes the same key, outside every resource's prefix).
 */
export const COMPACTION_MARK_KEY = 'compact_rev_key';

/** Writes the mark key once; resolves with the revision of that write. */
async function writeMark(backend: KvBackend): Promise<number> {
  for (;;) {
    const { kv } = await backend.get(COMPACTION_MARK_KEY);
    const value = new TextEncoder().encode(String(kv ? kv.modRevision : 0));
    if (!kv) {
      try {
        return await backend.create(COMPACTION_MARK_KEY, value);
      } catch (err) {
        if (isStorageError(err, 'KeyExists')) continue; // another server wrote it first: read it again
        throw err;
      }
    }
    const res = await backend.update(COMPACTION_MARK_KEY, value, kv.modRevision);
    if (res.ok) return res.revision;
  }
}

/**
 * Periodically compact history, keeping at least the newest `keepRevisions` revisions.
 * Watchers and continue tokens older than the compacted revision get Compacted (410) and
 * re-list, exactly as against kube-apiserver.
 *
 * A compaction stops only at a revision this compactor wrote itself (a put of
 * {@link COMPACTION_MARK_KEY} from an earlier round), never at whatever revision happens
 * to be current: etcd before 3.4.36 and 3.5.18 loses a delete that is the compaction
 * revision for watches opened at it (etcd-io/etcd#18089 and #19179), and a put there is
 * harmless (kube-apiserver's compactor too compacts at its own writes). Each
 * round compacts to the newest mark old enough, then writes the next one.
 */
export function startCompactor(backend: KvBackend, opts: CompactorOptions = {}): Compactor {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const keep = opts.keepRevisions ?? 1000;
  const marks: number[] = [];
  let seeded = false;
  let running: Promise<number> | undefined;

  async function compactOnce(): Promise<number> {
    if (!seeded) {
      // The mark an earlier run (or another server) left is a put too.
      const { kv } = await backend.get(COMPACTION_MARK_KEY);
      if (kv) marks.push(kv.modRevision);
      seeded = true;
    }
    const target = (await backend.currentRevision()) - keep;
    let at = 0;
    while (marks.length > 0 && marks[0]! <= target) at = marks.shift()!;
    if (at > 0) await backend.compact(at); // a no-op when already compacted that far
    marks.push(await writeMark(backend));
    return at;
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
