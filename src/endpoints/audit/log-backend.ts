/**
 * The audit log backend (`--audit-log-path`): event lines appended through a buffered stream,
 * so a request never waits on the disk; rotated as upstream's lumberjack rotates — before a
 * line would take the file past `--audit-log-maxsize` megabytes (0: lumberjack's 100) the file
 * is renamed to `NAME-2006-01-02T15-04-05.000.EXT` (UTC) beside it, a new one opened, and
 * backups beyond `--audit-log-maxbackup` (0: all kept) or older than `--audit-log-maxage` days
 * (0: any age) removed. `-` writes to standard output. A failing disk is logged and the event
 * dropped: the server keeps serving.
 */
import { createWriteStream, existsSync, fstatSync, mkdirSync, openSync, renameSync, type WriteStream } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { AuditSink } from './context.js';

export interface LogBackendOptions {
  path: string;
  /** Megabytes before rotation; 0 is lumberjack's default of 100. */
  maxSizeMB: number;
  /** Rotated files kept; 0 keeps all. */
  maxBackups: number;
  /** Days a rotated file is kept; 0 keeps it whatever its age. */
  maxAgeDays: number;
  /** Told of write failures and dropped events (the server's logger). */
  onError?: (err: Error, what: string) => void;
}

export interface LogBackend extends AuditSink {
  /** Flushes what is buffered and closes the file. */
  close(): Promise<void>;
  /** Events dropped so far (the disk failed, or the buffer was full). */
  readonly dropped: number;
}

const MEGABYTE = 1024 * 1024;
/** Buffered bytes beyond which events are dropped rather than held in memory. */
const MAX_BUFFERED_BYTES = 64 * MEGABYTE;
/** How long after a failure the file is tried again. */
const REOPEN_DELAY_MS = 1000;

/** lumberjack's backup time format, `2006-01-02T15-04-05.000`, in UTC. */
export function backupTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, '-');
}

/** The name a rotated file takes: `audit.log` → `audit-2006-01-02T15-04-05.000.log`. */
export function backupName(path: string, ms: number): string {
  const ext = extname(path);
  const prefix = basename(path, ext);
  return join(dirname(path), `${prefix}-${backupTimestamp(ms)}${ext}`);
}

/** The backup time a file name carries, or undefined when it is not one of `path`'s backups. */
function backupTime(path: string, file: string): number | undefined {
  const ext = extname(path);
  const prefix = `${basename(path, ext)}-`;
  if (!file.startsWith(prefix) || !file.endsWith(ext)) return undefined;
  const stamp = file.slice(prefix.length, file.length - ext.length);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(stamp);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Standard output as the sink (`--audit-log-path -`); a closed stdout (EPIPE) is reported once, never thrown. */
function stdoutBackend(report: (err: Error, what: string) => void): LogBackend {
  let broken = false;
  let dropped = 0;
  process.stdout.on('error', (err) => {
    if (!broken) report(err, 'audit log write failed');
    broken = true;
  });
  return {
    get dropped() {
      return dropped;
    },
    write(line) {
      if (broken) {
        dropped++;
        return;
      }
      process.stdout.write(line);
    },
    async close() {},
  };
}

export function createLogBackend(opts: LogBackendOptions): LogBackend {
  const report = (err: Error, what: string): void => opts.onError?.(err, what);
  if (opts.path === '-') return stdoutBackend(report);
  const { path } = opts;
  const maxBytes = (opts.maxSizeMB > 0 ? opts.maxSizeMB : 100) * MEGABYTE;
  let stream: WriteStream | undefined;
  let size = 0;
  let retryAt = 0;
  let dropped = 0;
  let lastBackup = 0;

  const open = (): WriteStream | undefined => {
    if (stream) return stream;
    if (Date.now() < retryAt) return undefined;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Opened here, not by the stream: a rotation right after must rename the file this stream writes.
      const fd = openSync(path, 'a', 0o600);
      size = fstatSync(fd).size;
      const opened = createWriteStream(path, { fd });
      opened.on('error', (err) => {
        report(err, 'audit log write failed');
        if (stream === opened) {
          stream = undefined;
          retryAt = Date.now() + REOPEN_DELAY_MS;
        }
      });
      stream = opened;
      return opened;
    } catch (err) {
      report(err as Error, 'cannot open the audit log');
      retryAt = Date.now() + REOPEN_DELAY_MS;
      return undefined;
    }
  };

  const prune = async (): Promise<void> => {
    if (opts.maxBackups <= 0 && opts.maxAgeDays <= 0) return;
    const dir = dirname(path);
    const backups = (await readdir(dir))
      .map((file) => ({ file, ms: backupTime(path, file) }))
      .filter((b): b is { file: string; ms: number } => b.ms !== undefined)
      .sort((a, b) => b.ms - a.ms);
    const cutoff = opts.maxAgeDays > 0 ? Date.now() - opts.maxAgeDays * 24 * 3600 * 1000 : -Infinity;
    const doomed = backups.filter((b, i) => (opts.maxBackups > 0 && i >= opts.maxBackups) || b.ms < cutoff);
    for (const b of doomed) await unlink(join(dir, b.file)).catch((err: Error) => report(err, 'cannot remove an old audit log'));
  };

  const rotate = (): void => {
    const old = stream;
    stream = undefined;
    // Lines still buffered in the old stream reach the renamed file: the descriptor follows it.
    old?.end();
    try {
      if (existsSync(path)) {
        // Two rotations within a millisecond still get names of their own.
        const ms = Math.max(Date.now(), lastBackup + 1);
        lastBackup = ms;
        renameSync(path, backupName(path, ms));
      }
    } catch (err) {
      report(err as Error, 'cannot rotate the audit log');
    }
    size = 0;
    prune().catch((err: Error) => report(err, 'cannot remove old audit logs'));
  };

  return {
    get dropped() {
      return dropped;
    },
    write(line) {
      const bytes = Buffer.byteLength(line);
      if (bytes > maxBytes) {
        dropped++;
        report(new Error(`write length ${bytes} exceeds maximum file size ${maxBytes}`), 'audit event dropped');
        return;
      }
      let out = open();
      if (out && size + bytes > maxBytes) {
        rotate();
        out = open();
      }
      // A disk that cannot keep up drops events rather than holding them without bound.
      if (!out || out.writableLength > MAX_BUFFERED_BYTES) {
        dropped++;
        return;
      }
      out.write(line);
      size += bytes;
    },
    async close() {
      const last = stream;
      stream = undefined;
      retryAt = Number.POSITIVE_INFINITY;
      if (!last) return;
      await new Promise<void>((resolve) => {
        last.end(() => resolve());
        last.once('error', () => resolve());
      });
    },
  };
}
