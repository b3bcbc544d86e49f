import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { MAX_REQUEST_BYTES, StorageError, compactedError, futureRevisionError, requestTooLargeError } from '../errors.js';
import { prefixEnd, type CasResult, type DeleteResult, type KeyValue, type KvBackend, type KvEvent, type ListResult, type ProgressNotice, type ProgressWatch } from '../kv.js';
import { createBroadcaster, type RevisionBatch, type Subscription } from './broadcaster.js';
import { createGroupCommitter, type WriteOutcome } from './group-commit.js';
import { rowToKv, type HistoryRow, type LogRow, type RevisionLog } from './revision-log.js';

/** Tuning for {@link createLogBackend}. */
export interface LogBackendOptions {
  /** Batches a live watcher may lag behind before it is ended with Unavailable (default 10000). */
  watchBuffer?: number;
  /** Rows read per replay query and removed per compaction step (default 1000). */
  batchSize?: number;
  /**
   * Most writes committed together in one log transaction (group commit,
   * default 256); 1 gives one transaction per write.
   */
  maxWriteBatch?: number;
  /**
   * Largest write taken, key and value together (default etcd's `--max-request-bytes`, 1.5 MiB):
   * an object etcd would refuse is refused here the same way, so both stores judge it alike.
   */
  maxRequestBytes?: number;
}

/**
 * A {@link KvBackend} over a synchronous {@link RevisionLog}: compare-and-swap
 * writes are group-committed (several per log transaction, see
 * {@link createGroupCommitter}), and committed events are handed to an
 * in-process broadcaster before the writes' promises resolve.
 */
export function createLogBackend(log: RevisionLog, opts: LogBackendOptions = {}): KvBackend {
  const broadcaster = createBroadcaster(opts.watchBuffer ?? 10_000);
  const batchSize = opts.batchSize ?? 1000;
  const maxRequestBytes = opts.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const checkRequestSize = (key: string, value: Uint8Array): void => {
    if (Buffer.byteLength(key) + value.byteLength > maxRequestBytes) throw requestTooLargeError(key);
  };
  const readChunk = 1000;
  let closed = false;
  let compacting: Promise<void> = Promise.resolve();
  const writes = createGroupCommitter(log, (b) => broadcaster.publish(b), opts.maxWriteBatch ?? 256);

  const live = (row: LogRow | undefined): LogRow | undefined => (row && !row.deleted ? row : undefined);

  function checkOpen(): void {
    if (closed) throw new StorageError('Unavailable', 'storage backend is closed');
  }

  /** Validate a read revision; 0/undefined means current. */
  function readRevision(revision: number | undefined): number {
    checkOpen();
    const current = log.currentRevision();
    if (revision === undefined || revision <= 0) return current;
    if (revision > current) throw futureRevisionError(revision, current);
    const compacted = log.compactedRevision();
    if (revision < compacted) throw compactedError(revision, compacted);
    return revision;
  }

  const eventAt = (revision: number, event: KvEvent): RevisionBatch => ({ revision, events: [event] });

  function groupByRevision(rows: HistoryRow[]): KvEvent[][] {
    const out: KvEvent[][] = [];
    let lastRev = -1;
    for (const row of rows) {
      const ev: KvEvent = row.deleted
        ? { type: 'delete', kv: rowToKv(row), prevKv: { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.prevRevision } }
        : row.prev
          ? { type: 'put', kv: rowToKv(row), prevKv: row.prev }
          : { type: 'put', kv: rowToKv(row) };
      if (row.revision !== lastRev) out.push([]);
      out[out.length - 1]!.push(ev);
      lastRev = row.revision;
    }
    return out;
  }

  /**
   * Events under `prefix` after `afterRevision`: history from the log, then the live
   * queue. With `progress`, empty batches in the queue become progress notices.
   */
  async function* watchRange(
    prefix: string,
    afterRevision: number,
    signal: AbortSignal,
    progress: { sub?: Subscription; wanted: boolean } | undefined,
  ): AsyncGenerator<KvEvent[] | ProgressNotice> {
    checkOpen();
    const end = prefixEnd(prefix);
    // Subscribe and read the current revision in the same synchronous step:
    // everything <= upTo comes from the log, everything later from the queue.
    const sub = broadcaster.subscribe(prefix, end, signal);
    const upTo = log.currentRevision();
    if (progress) {
      progress.sub = sub;
      if (progress.wanted) sub.pushProgress(upTo);
    }
    try {
      let pos = Math.max(0, afterRevision);
      while (pos < upTo && !signal.aborted) {
        const compacted = log.compactedRevision();
        if (pos + 1 < compacted) throw compactedError(pos, compacted);
        const rows = log.history(prefix, end, pos, upTo, batchSize);
        if (rows.length === 0) break;
        pos = rows[rows.length - 1]!.revision;
        for (const batch of groupByRevision(rows)) yield batch;
      }
      pos = Math.max(pos, upTo);
      for (;;) {
        if (signal.aborted) return;
        const batch = await sub.next();
        if (!batch) return;
        if (batch.events.length === 0) {
          pos = Math.max(pos, batch.revision);
          yield { type: 'progress', revision: pos };
          continue;
        }
        if (batch.revision <= pos) continue;
        pos = batch.revision;
        yield batch.events;
      }
    } finally {
      sub.close();
    }
  }

  return {
    async currentRevision() {
      checkOpen();
      return log.currentRevision();
    },

    async get(key, o) {
      const revision = readRevision(o?.revision);
      const row = live(log.latest(key, revision));
      return row ? { revision, kv: rowToKv(row) } : { revision };
    },

    async list(prefix, o = {}): Promise<ListResult> {
      const revision = readRevision(o.revision);
      const start = o.startKey !== undefined && o.startKey > prefix ? o.startKey : prefix;
      const end = prefixEnd(prefix);
      const limit = o.limit ?? 0;
      if (limit > 0 && limit <= readChunk) {
        const { rows, count } = log.range(start, end, revision, limit);
        return { revision, kvs: rows.map(rowToKv), more: count > rows.length, count };
      }
      // A large read goes in chunks at one revision, giving the event loop back between them,
      // so one big LIST never holds up other requests for the whole read.
      const kvs: KeyValue[] = [];
      let from = start;
      for (;;) {
        const want = limit > 0 ? Math.min(readChunk, limit - kvs.length) : readChunk;
        const { rows } = log.range(from, end, revision, want);
        for (const row of rows) kvs.push(rowToKv(row));
        const last = rows[rows.length - 1];
        if (rows.length < want || !last || (limit > 0 && kvs.length >= limit)) break;
        from = `${last.key}\u0000`;
        await yieldToLoop();
        readRevision(revision); // still readable: a compaction past it while we yielded fails the read
      }
      if (limit === 0) return { revision, kvs, more: false, count: kvs.length };
      // The total from the start key (a one-row range counts the whole range when rows remain).
      const { count } = kvs.length === 0 ? { count: 0 } : log.range(start, end, revision, 1);
      return { revision, kvs, more: count > kvs.length, count };
    },

    async create(key, value) {
      checkOpen();
      checkRequestSize(key, value);
      return writes.submit((): WriteOutcome<number> => {
        const prev = log.latest(key, log.currentRevision());
        if (live(prev)) return { error: new StorageError('KeyExists', `key already exists: ${key}`, { key }) };
        const row = log.append({ key, deleted: false, prevRevision: prev?.revision ?? 0, value });
        return { value: row.revision, event: eventAt(row.revision, { type: 'put', kv: rowToKv(row) }) };
      });
    },

    async update(key, value, expectedModRevision): Promise<CasResult> {
      checkOpen();
      checkRequestSize(key, value);
      return writes.submit((): WriteOutcome<CasResult> => {
        const cur = live(log.latest(key, log.currentRevision()));
        if (!cur || cur.revision !== expectedModRevision) return { value: cur ? { ok: false, current: rowToKv(cur) } : { ok: false } };
        const row = log.append({ key, deleted: false, createRevision: cur.createRevision, prevRevision: cur.revision, value });
        return { value: { ok: true, revision: row.revision }, event: eventAt(row.revision, { type: 'put', kv: rowToKv(row), prevKv: rowToKv(cur) }) };
      });
    },

    async delete(key, expectedModRevision): Promise<DeleteResult> {
      checkOpen();
      return writes.submit((): WriteOutcome<DeleteResult> => {
        const cur = live(log.latest(key, log.currentRevision()));
        if (!cur || (expectedModRevision !== undefined && cur.revision !== expectedModRevision)) {
          return { value: cur ? { ok: false, current: rowToKv(cur) } : { ok: false } };
        }
        const row = log.append({ key, deleted: true, createRevision: cur.createRevision, prevRevision: cur.revision, value: cur.value });
        const prev = rowToKv(cur);
        return { value: { ok: true, revision: row.revision, prev }, event: eventAt(row.revision, { type: 'delete', kv: rowToKv(row), prevKv: prev }) };
      });
    },

    watch(prefix, afterRevision, signal) {
      return filterProgress(watchRange(prefix, afterRevision, signal, undefined));
    },

    watchWithProgress(prefix, afterRevision, signal): ProgressWatch {
      checkOpen();
      const handle: { sub?: Subscription; wanted: boolean } = { wanted: false };
      const events = watchRange(prefix, afterRevision, signal, handle);
      return {
        [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
        requestProgress() {
          // Writes publish synchronously at commit, so everything up to the current
          // revision is queued ahead of this notice.
          if (handle.sub) handle.sub.pushProgress(log.currentRevision());
          else handle.wanted = true;
        },
      };
    },

    async compact(revision) {
      checkOpen();
      const run = compacting.then(async () => {
        const current = log.currentRevision();
        if (revision > current) throw futureRevisionError(revision, current);
        if (revision <= log.compactedRevision()) return;
        log.setCompactedRevision(revision);
        while (!closed && log.compactBatch(revision, batchSize) > 0) await yieldToLoop();
      });
      compacting = run.catch(() => undefined);
      return run;
    },

    async compactedRevision() {
      checkOpen();
      return log.compactedRevision();
    },

    async close() {
      if (closed) return;
      closed = true;
      writes.drain(); // writes accepted before close still commit and settle
      broadcaster.closeAll();
      await compacting;
      log.close();
    },
  };
}

/** The event batches of a progress watch, without its notices. */
async function* filterProgress(source: AsyncIterable<KvEvent[] | ProgressNotice>): AsyncIterable<KvEvent[]> {
  for await (const item of source) if (Array.isArray(item)) yield item;
}
