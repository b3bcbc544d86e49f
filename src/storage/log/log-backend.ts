import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { StorageError, compactedError, futureRevisionError } from '../errors.js';
import { prefixEnd, type CasResult, type DeleteResult, type KvBackend, type KvEvent, type ListResult } from '../kv.js';
import { createBroadcaster } from './broadcaster.js';
import { rowToKv, type HistoryRow, type LogRow, type RevisionLog } from './revision-log.js';

/** Tuning for {@link createLogBackend}. */
export interface LogBackendOptions {
  /** Batches a live watcher may lag behind before it is ended with Unavailable (default 10000). */
  watchBuffer?: number;
  /** Rows read per replay query and removed per compaction step (default 1000). */
  batchSize?: number;
}

/**
 * A {@link KvBackend} over a synchronous {@link RevisionLog}: compare-and-swap
 * writes run in one log transaction, and the committed event is handed to an
 * in-process broadcaster before the write's promise resolves.
 */
export function createLogBackend(log: RevisionLog, opts: LogBackendOptions = {}): KvBackend {
  const broadcaster = createBroadcaster(opts.watchBuffer ?? 10_000);
  const batchSize = opts.batchSize ?? 1000;
  let closed = false;
  let compacting: Promise<void> = Promise.resolve();

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

  function publish(revision: number, event: KvEvent): void {
    broadcaster.publish({ revision, events: [event] });
  }

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
      const { rows, count } = log.range(start, prefixEnd(prefix), revision, o.limit ?? 0);
      return { revision, kvs: rows.map(rowToKv), more: count > rows.length, count };
    },

    async create(key, value) {
      checkOpen();
      const row = log.transaction(() => {
        const prev = log.latest(key, log.currentRevision());
        if (live(prev)) throw new StorageError('KeyExists', `key already exists: ${key}`, { key });
        return log.append({ key, deleted: false, prevRevision: prev?.revision ?? 0, value });
      });
      publish(row.revision, { type: 'put', kv: rowToKv(row) });
      return row.revision;
    },

    async update(key, value, expectedModRevision): Promise<CasResult> {
      checkOpen();
      const r = log.transaction(() => {
        const cur = live(log.latest(key, log.currentRevision()));
        if (!cur || cur.revision !== expectedModRevision) return { ok: false as const, cur };
        const row = log.append({ key, deleted: false, createRevision: cur.createRevision, prevRevision: cur.revision, value });
        return { ok: true as const, row, cur };
      });
      if (!r.ok) return r.cur ? { ok: false, current: rowToKv(r.cur) } : { ok: false };
      publish(r.row.revision, { type: 'put', kv: rowToKv(r.row), prevKv: rowToKv(r.cur) });
      return { ok: true, revision: r.row.revision };
    },

    async delete(key, expectedModRevision): Promise<DeleteResult> {
      checkOpen();
      const r = log.transaction(() => {
        const cur = live(log.latest(key, log.currentRevision()));
        if (!cur || (expectedModRevision !== undefined && cur.revision !== expectedModRevision)) return { ok: false as const, cur };
        const row = log.append({ key, deleted: true, createRevision: cur.createRevision, prevRevision: cur.revision, value: cur.value });
        return { ok: true as const, row, cur };
      });
      if (!r.ok) return r.cur ? { ok: false, current: rowToKv(r.cur) } : { ok: false };
      const prev = rowToKv(r.cur);
      publish(r.row.revision, { type: 'delete', kv: rowToKv(r.row), prevKv: prev });
      return { ok: true, revision: r.row.revision, prev };
    },

    async *watch(prefix, afterRevision, signal) {
      checkOpen();
      const end = prefixEnd(prefix);
      // Subscribe and read the current revision in the same synchronous step:
      // everything <= upTo comes from the log, everything later from the queue.
      const sub = broadcaster.subscribe(prefix, end, signal);
      const upTo = log.currentRevision();
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
          if (batch.revision <= pos) continue;
          pos = batch.revision;
          yield batch.events;
        }
      } finally {
        sub.close();
      }
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
      broadcaster.closeAll();
      await compacting;
      log.close();
    },
  };
}
