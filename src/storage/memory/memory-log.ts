import type { HistoryRow, LogRow, NewLogRow, RevisionLog } from '../log/revision-log.js';
import { rowToKv } from '../log/revision-log.js';

/** An in-memory {@link RevisionLog} (arrays and maps; for unit tests). */
export function createMemoryLog(): RevisionLog {
  let rows: LogRow[] = [];
  const byKey = new Map<string, LogRow[]>();
  let current = 1; // like etcd, an empty store is at revision 1
  let compacted = 0;

  const inRange = (key: string, start: string, end: string | undefined) => key >= start && (end === undefined || key < end);

  function latest(key: string, revision: number): LogRow | undefined {
    const hist = byKey.get(key);
    if (!hist) return undefined;
    for (let i = hist.length - 1; i >= 0; i--) if (hist[i]!.revision <= revision) return hist[i];
    return undefined;
  }

  return {
    currentRevision: () => current,
    compactedRevision: () => compacted,
    latest,
    range(start, end, revision, limit) {
      const keys = [...byKey.keys()].filter((k) => inRange(k, start, end)).sort();
      const live: LogRow[] = [];
      for (const k of keys) {
        const row = latest(k, revision);
        if (row && !row.deleted) live.push(row);
      }
      return { rows: limit > 0 ? live.slice(0, limit) : live, count: live.length };
    },
    history(start, end, after, upTo, limit) {
      const out: HistoryRow[] = [];
      for (const row of rows) {
        if (row.revision <= after || row.revision > upTo || !inRange(row.key, start, end)) continue;
        const prev = row.prevRevision ? byKey.get(row.key)?.find((r) => r.revision === row.prevRevision) : undefined;
        out.push(prev && !prev.deleted ? { ...row, prev: rowToKv(prev) } : { ...row });
        if (out.length >= limit) break;
      }
      return out;
    },
    append(n: NewLogRow) {
      const revision = current + 1;
      const row: LogRow = { ...n, revision, createRevision: n.createRevision ?? revision, value: new Uint8Array(n.value) };
      rows.push(row);
      let hist = byKey.get(row.key);
      if (!hist) byKey.set(row.key, (hist = []));
      hist.push(row);
      current = revision;
      return row;
    },
    transaction: (fn) => fn(),
    setCompactedRevision(revision) {
      compacted = revision;
    },
    compactBatch(revision) {
      // Keep every row >= revision and the newest row below it per key (unless a tombstone).
      const before = rows.length;
      const keep = (r: LogRow): boolean => {
        if (r.revision >= revision) return true;
        if (r.deleted) return false;
        const hist = byKey.get(r.key)!;
        return !hist.some((n) => n.revision > r.revision && n.revision < revision);
      };
      rows = rows.filter(keep);
      for (const [k, hist] of byKey) {
        const kept = hist.filter(keep);
        if (kept.length === 0) byKey.delete(k);
        else byKey.set(k, kept);
      }
      return before - rows.length;
    },
    close() {
      rows = [];
      byKey.clear();
    },
  };
}
