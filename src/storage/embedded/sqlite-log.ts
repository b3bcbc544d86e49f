import Database from 'better-sqlite3';
import type { HistoryRow, LogRow, NewLogRow, RevisionLog } from '../log/revision-log.js';

/**
 * How hard SQLite pushes each commit to disk.
 * - `FULL` (default): the WAL is fsynced on every commit, so an acknowledged
 *   write survives kill -9 *and* power loss / kernel crash — the same promise
 *   etcd makes by fsyncing its WAL before answering.
 * - `NORMAL`: the WAL is written (to the OS page cache) on commit but fsynced
 *   only at checkpoints. Still survives kill -9 of this process (the kernel
 *   owns the written pages), may lose the last commits on power loss. Faster.
 */
export type SyncMode = 'FULL' | 'NORMAL';

/** Options for {@link openSqliteLog}. */
export interface SqliteLogOptions {
  synchronous?: SyncMode;
}

interface DbRow {
  id: number;
  key: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
}

interface DbHistoryRow extends DbRow {
  p_value: Buffer | null;
  p_create_revision: number | null;
  p_deleted: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS log_key_prev ON log (key, prev_revision);
CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

const empty = new Uint8Array(0);

function toRow(r: DbRow): LogRow {
  return {
    revision: r.id,
    key: r.key,
    createRevision: r.create_revision,
    deleted: r.deleted === 1,
    prevRevision: r.prev_revision,
    value: r.value ? new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength) : empty,
  };
}

/**
 * Open (creating if needed) the kine-style revision log in SQLite file `file`.
 * One process owns the file: watches are fed by an in-process broadcaster, so
 * writes made by another process would not reach this process's watchers.
 * The table's `id` is the revision; `(key, prev_revision)` is unique, so two
 * writers that raced past the same predecessor cannot both commit.
 */
export function openSqliteLog(file: string, opts: SqliteLogOptions = {}): RevisionLog {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  // An empty store starts at revision 1 (as etcd does): seed the AUTOINCREMENT counter.
  db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'log', 1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'log')`).run();

  const qSeq = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).pluck();
  const qCompact = db.prepare(`SELECT value FROM meta WHERE name = 'compact_revision'`).pluck();
  const qSetCompact = db.prepare(`INSERT INTO meta (name, value) VALUES ('compact_revision', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
  const qLatest = db.prepare(`SELECT * FROM log WHERE key = ? AND id <= ? ORDER BY id DESC LIMIT 1`);
  const latestIds = `SELECT MAX(id) AS id FROM log WHERE key >= @start AND (@end IS NULL OR key < @end) AND id <= @rev GROUP BY key`;
  // Walks the (key, id) index in key order, keeping each key's newest row at the revision, so a
  // page costs its own size (not the whole range's): the LIMIT stops the walk.
  const qRange = db.prepare(
    `SELECT l.* FROM log l
      WHERE l.key >= @start AND (@end IS NULL OR l.key < @end) AND l.id <= @rev AND l.deleted = 0
        AND l.id = (SELECT MAX(n.id) FROM log n WHERE n.key = l.key AND n.id <= @rev)
      ORDER BY l.key LIMIT @limit`,
  );
  const qCount = db.prepare(`SELECT COUNT(*) FROM log l JOIN (${latestIds}) m ON l.id = m.id WHERE l.deleted = 0`).pluck();
  const qHistory = db.prepare(
    `SELECT l.*, p.value AS p_value, p.create_revision AS p_create_revision, p.deleted AS p_deleted
       FROM log l LEFT JOIN log p ON p.id = l.prev_revision
      WHERE l.id > @after AND l.id <= @upTo AND l.key >= @start AND (@end IS NULL OR l.key < @end)
      ORDER BY l.id LIMIT @limit`,
  );
  const qInsert = db.prepare(
    `INSERT INTO log (id, key, created, deleted, create_revision, prev_revision, value) VALUES (@id, @key, @created, @deleted, @create_revision, @prev_revision, @value)`,
  );
  // A row below the boundary is dead if it is a tombstone or a newer row for its key (also below it) exists.
  const qCompactBatch = db.prepare(
    `DELETE FROM log WHERE id IN (
       SELECT l.id FROM log l
        WHERE l.id < @rev
          AND (l.deleted = 1 OR EXISTS (SELECT 1 FROM log n WHERE n.key = l.key AND n.id > l.id AND n.id < @rev))
        LIMIT @batch)`,
  );

  let current = Number(qSeq.get());
  let compacted = Number(qCompact.get() ?? 0);

  return {
    currentRevision: () => current,
    compactedRevision: () => compacted,
    latest(key, revision) {
      const r = qLatest.get(key, revision) as DbRow | undefined;
      return r ? toRow(r) : undefined;
    },
    range(start, end, revision, limit) {
      const p = { start, end: end ?? null, rev: revision };
      const rows = (qRange.all({ ...p, limit: limit > 0 ? limit : -1 }) as DbRow[]).map(toRow);
      const count = limit > 0 && rows.length === limit ? Number(qCount.get(p)) : rows.length;
      return { rows, count };
    },
    history(start, end, after, upTo, limit) {
      const rs = qHistory.all({ start, end: end ?? null, after, upTo, limit }) as DbHistoryRow[];
      return rs.map((r): HistoryRow => {
        const row: HistoryRow = toRow(r);
        if (r.p_deleted === 0 && r.p_create_revision !== null) {
          row.prev = { key: r.key, value: r.p_value ? new Uint8Array(r.p_value) : empty, createRevision: r.p_create_revision, modRevision: r.prev_revision };
        }
        return row;
      });
    },
    append(n: NewLogRow) {
      const id = current + 1;
      const createRevision = n.createRevision ?? id;
      qInsert.run({
        id,
        key: n.key,
        created: n.createRevision === undefined ? 1 : 0,
        deleted: n.deleted ? 1 : 0,
        create_revision: createRevision,
        prev_revision: n.prevRevision,
        value: Buffer.from(n.value.buffer, n.value.byteOffset, n.value.byteLength),
      });
      current = id;
      return { key: n.key, revision: id, createRevision, deleted: n.deleted, prevRevision: n.prevRevision, value: n.value };
    },
    transaction<T>(fn: () => T): T {
      const before = current;
      try {
        // BEGIN IMMEDIATE takes the write lock; re-read the counter under it.
        return db
          .transaction(() => {
            current = Number(qSeq.get());
            return fn();
          })
          .immediate();
      } catch (err) {
        current = before; // rolled back
        throw err;
      }
    },
    setCompactedRevision(revision) {
      qSetCompact.run(revision);
      compacted = revision;
    },
    compactBatch(revision, batch) {
      return qCompactBatch.run({ rev: revision, batch }).changes;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
