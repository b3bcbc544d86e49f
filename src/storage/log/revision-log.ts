import type { KeyValue } from '../kv.js';

/**
 * One entry of a kine-style append-only revision log: every write to a key
 * appends a row whose revision is the new store revision. A delete appends a
 * tombstone that keeps the last value (so a DELETED event can carry it).
 */
export interface LogRow {
  revision: number;
  key: string;
  /** Revision at which the key was created (equals `revision` for a create). */
  createRevision: number;
  deleted: boolean;
  /** Revision of the previous row for the same key; 0 when none. */
  prevRevision: number;
  value: Uint8Array;
}

/** A log row joined with its predecessor (for watch replay `prevKv`). */
export interface HistoryRow extends LogRow {
  prev?: KeyValue;
}

/** Row to append; `createRevision` undefined means "this row creates the key". */
export type NewLogRow = Omit<LogRow, 'revision' | 'createRevision'> & { createRevision?: number };

/**
 * Synchronous storage primitive behind the embedded and memory backends.
 * Implementations are single-writer; `transaction` makes a read-check-append
 * sequence atomic and durable once it returns.
 */
export interface RevisionLog {
  currentRevision(): number;
  compactedRevision(): number;
  /** Latest row (possibly a tombstone) for `key` with revision <= `revision`. */
  latest(key: string, revision: number): LogRow | undefined;
  /** Live keys in [start, end) at `revision`, ascending, at most `limit` (0 = all), and their total count. */
  range(start: string, end: string | undefined, revision: number, limit: number): { rows: LogRow[]; count: number };
  /** Rows with after < revision <= upTo for keys in [start, end), ascending by revision, at most `limit`. */
  history(start: string, end: string | undefined, after: number, upTo: number, limit: number): HistoryRow[];
  /** Append a row at currentRevision()+1 and return it. Call inside `transaction`. */
  append(row: NewLogRow): LogRow;
  transaction<T>(fn: () => T): T;
  /** Record the compaction boundary (before rows are removed, so readers notice at once). */
  setCompactedRevision(revision: number): void;
  /** Remove up to `batch` rows no longer needed to read at >= `revision`; returns how many were removed. */
  compactBatch(revision: number, batch: number): number;
  close(): void;
}

/** The KeyValue view of a live row. */
export function rowToKv(row: LogRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision };
}
