import { Etcd3, type IKeyValue, type IOptions, type IWatchResponse } from 'etcd3';
import { StorageError, compactedError } from '../errors.js';
import type { CasResult, DeleteResult, KeyValue, KvBackend, KvEvent, ListResult, ProgressNotice, ProgressWatch } from '../kv.js';
import { createAsyncQueue } from './async-queue.js';
import { fromEtcdError } from './errors.js';
import { prefixEndBytes, toRevision } from './revisions.js';

/** Options for {@link createEtcdBackend}. */
export interface EtcdBackendOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  servers: string[];
  /** Extra etcd3 client options (TLS credentials, auth, dial timeout). */
  client?: Omit<IOptions, 'hosts'>;
  /** Watch responses a watcher may lag behind before it is ended with Unavailable (default 10000). */
  watchBuffer?: number;
  /**
   * Internal paging of range reads: keys asked for in the first page (default 1000) and the
   * encoded bytes a page should stay under (default 16 MiB); see {@link createEtcdBackend}.
   */
  rangePage?: { keys?: number; bytes?: number };
}

/**
 * The client's gRPC message limits. A range response is paged to stay far below the receive
 * limit; the limit itself is large so that no single object (etcd refuses values over its
 * `--max-request-bytes`, 1.5 MiB by default) can reach it. Sends are not limited by the client:
 * etcd's own request limit applies.
 */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;
const MAX_PAGE_KEYS = 10_000;

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type CallPolicy = NonNullable<FaultHandling['global']>;

/**
 * A fault-handling policy that runs each call once, as it is: no retries (a retried read of
 * a large range repeats its cost, a retried txn is not idempotent) and no circuit breaker
 * (one failing call must not fail unrelated ones for seconds). A failure is that call's own;
 * callers and clients retry.
 */
function ownFaultsOnly(): CallPolicy {
  const never = { dispose() {} };
  return {
    _altReturn: undefined as never,
    onSuccess: () => never,
    onFailure: () => never,
    execute: async (fn, signal) => fn({ signal: signal ?? NEVER_ABORTED }),
  };
}

/**
 * The signal a policy hands the client's call when it was given none: one for every call, never
 * aborted (the client does not look at it; a controller made per etcd call was visible in a
 * create's profile, two per call).
 */
const NEVER_ABORTED = new AbortController().signal;

/** True when a call failed because its response (or request) exceeded a gRPC message limit. */
function isMessageTooLarge(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return message.includes('RESOURCE_EXHAUSTED') || message.includes('larger than max') || (err as { code?: unknown })?.code === 8;
}

// Compare targets/results as the etcd3 client's builders send them.
const TARGET_CREATE = 1;
const TARGET_MOD = 2;
const EQUAL = 0;

const probeKey = Buffer.from([0]);

function toKv(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: new Uint8Array(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength),
    createRevision: toRevision(kv.create_revision),
    modRevision: toRevision(kv.mod_revision),
  };
}

/**
 * A {@link KvBackend} on etcd v3 via the `etcd3` client's raw KV and Watch
 * RPCs. Watches use their own gRPC stream (not the client's WatchManager,
 * which silently resubscribes from the header revision and swallows
 * compaction): a lost stream ends the watch with Unavailable and a compacted
 * start revision with Compacted, so the caller re-lists.
 */
export function createEtcdBackend(opts: EtcdBackendOptions): KvBackend {
  const client = new Etcd3({
    ...(opts.client ?? {}),
    hosts: opts.servers,
    grpcOptions: {
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': -1,
      ...(opts.client?.grpcOptions ?? {}),
    },
    faultHandling: { host: () => ownFaultsOnly(), global: ownFaultsOnly(), ...(opts.client?.faultHandling ?? {}) },
  });
  const firstPageKeys = Math.max(1, opts.rangePage?.keys ?? 1000);
  const pageBytes = Math.max(1, opts.rangePage?.bytes ?? 16 * 1024 * 1024);
  const kvc = client.kv;
  const watchBuffer = opts.watchBuffer ?? 10_000;
  const cleanups = new Set<() => void>();

  async function call<T>(fn: () => Promise<T>, context: { key?: string; revision?: number; write?: boolean } = {}): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = fromEtcdError(err, context);
      if (e.code === 'Compacted' && context.revision !== undefined) {
        const compacted = await compactedRevision().catch(() => undefined);
        if (compacted !== undefined) throw compactedError(context.revision, compacted, context.key);
      }
      throw e;
    }
  }

  async function currentRevision(): Promise<number> {
    const res = await call(() => kvc.range({ key: probeKey, count_only: true }));
    return toRevision(res.header.revision);
  }

  /** True when reads at `revision` fail because history before it was compacted. */
  async function isCompacted(revision: number): Promise<boolean> {
    try {
      await kvc.range({ key: probeKey, count_only: true, revision });
      return false;
    } catch (err) {
      if (fromEtcdError(err).code === 'Compacted') return true;
      throw fromEtcdError(err);
    }
  }

  /** etcd does not report its compaction revision directly: binary-search the lowest readable revision. */
  async function compactedRevision(): Promise<number> {
    const current = await currentRevision();
    if (!(await isCompacted(1))) return 0;
    let lo = 1; // compacted
    let hi = current; // readable (the current revision always is)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await isCompacted(mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /**
   * One watch on its own etcd stream. With `progress`, progress requests are written to the
   * stream and etcd's answers (responses without events, after every earlier event of the
   * stream) become notices.
   */
  async function* watchStream(
    prefix: string,
    afterRevision: number,
    signal: AbortSignal,
    progress: { request?: () => void; wanted: boolean } | undefined,
  ): AsyncGenerator<KvEvent[] | ProgressNotice> {
    if (signal.aborted) return;
    const queue = createAsyncQueue<KvEvent[] | ProgressNotice>();
    const stream = await call(() => client.watchClient.watch());
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      queue.end(err);
      try {
        stream.cancel();
      } catch {
        /* already closed */
      }
    };
    const onAbort = () => finish();
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.add(onAbort);
    // The signal may have fired while the stream was being opened.
    if (signal.aborted) finish();

    stream.on('data', (res: IWatchResponse) => {
      try {
        const compact = toRevision(res.compact_revision);
        if (compact > 0) return finish(compactedError(afterRevision, compact, prefix));
        if (res.canceled) {
          return finish(new StorageError('Unavailable', `etcd canceled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`));
        }
        if (res.events.length === 0) {
          if (progress && !res.created) queue.push({ type: 'progress', revision: toRevision(res.header.revision) });
          return;
        }
        if (queue.size >= watchBuffer) {
          return finish(new StorageError('Unavailable', 'watcher fell too far behind and was closed; re-list and watch again'));
        }
        // One response carries whole revisions; split it into per-revision batches.
        let batch: KvEvent[] = [];
        let rev = -1;
        for (const e of res.events) {
          const kv = toKv(e.kv);
          const ev: KvEvent = e.prev_kv
            ? { type: e.type === 'Delete' ? 'delete' : 'put', kv, prevKv: toKv(e.prev_kv) }
            : { type: e.type === 'Delete' ? 'delete' : 'put', kv };
          if (kv.modRevision !== rev && batch.length > 0) {
            queue.push(batch);
            batch = [];
          }
          rev = kv.modRevision;
          batch.push(ev);
        }
        if (batch.length > 0) queue.push(batch);
      } catch (err) {
        finish(err);
      }
    });
    stream.on('error', (err: Error) => {
      if (signal.aborted) return;
      // A broken stream is a lost watch whatever gRPC called it: the caller re-lists and watches again.
      const e = fromEtcdError(err);
      finish(e.code === 'Compacted' ? e : new StorageError('Unavailable', `etcd watch stream on ${prefix} failed: ${err.message}`, { cause: err }));
    });
    stream.on('end', () => {
      if (!signal.aborted) finish(new StorageError('Unavailable', `etcd watch stream on ${prefix} ended`));
    });
    const key = Buffer.from(prefix);
    stream.write({
      create_request: {
        key,
        range_end: prefixEndBytes(key),
        start_revision: afterRevision + 1,
        prev_kv: true,
      },
    });
    if (progress) {
      progress.request = () => {
        if (!finished) stream.write({ progress_request: {} });
      };
      if (progress.wanted) progress.request();
    }
    try {
      for (;;) {
        const r = await queue.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      cleanups.delete(onAbort);
      finish();
    }
  }

  async function* watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<KvEvent[]> {
    for await (const item of watchStream(prefix, afterRevision, signal, undefined)) if (Array.isArray(item)) yield item;
  }

  function watchWithProgress(prefix: string, afterRevision: number, signal: AbortSignal): ProgressWatch {
    const handle: { request?: () => void; wanted: boolean } = { wanted: false };
    const events = watchStream(prefix, afterRevision, signal, handle);
    return {
      [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
      requestProgress() {
        if (handle.request) handle.request();
        else handle.wanted = true;
      },
    };
  }

  return {
    currentRevision,

    async get(key, o) {
      const revision = o?.revision && o.revision > 0 ? o.revision : undefined;
      const res = await call(() => kvc.range({ key: Buffer.from(key), ...(revision ? { revision } : {}) }), {
        key,
        ...(revision ? { revision } : {}),
      });
      const out = { revision: revision ?? toRevision(res.header.revision) };
      return res.kvs[0] ? { ...out, kv: toKv(res.kvs[0]) } : out;
    },

    /**
     * A range read, paged: no single etcd response holds more than a page, whatever the
     * collection's size. A page asks for a number of keys that adapts to the bytes the last
     * page carried (halved above the page budget, doubled well below it) and is halved and
     * asked again when etcd's answer exceeds a message limit anyway. Every page reads at the
     * first page's revision, so the result is one consistent snapshot.
     */
    async list(prefix, o = {}): Promise<ListResult> {
      let revision = o.revision && o.revision > 0 ? o.revision : undefined;
      const end = prefixEndBytes(Buffer.from(prefix));
      let start = o.startKey !== undefined && o.startKey > prefix ? o.startKey : prefix;
      const wanted = o.limit && o.limit > 0 ? o.limit : Infinity;
      const kvs: KeyValue[] = [];
      let count: number | undefined;
      let more = false;
      let pageKeys = firstPageKeys;
      for (;;) {
        const ask = Math.min(pageKeys, wanted - kvs.length);
        const at = revision;
        let res;
        try {
          res = await call(
            () => kvc.range({ key: Buffer.from(start), range_end: end, ...(at ? { revision: at } : {}), limit: ask }),
            at ? { revision: at } : {},
          );
        } catch (err) {
          const cause = err instanceof StorageError && err.cause !== undefined ? err.cause : err;
          if (ask > 1 && isMessageTooLarge(cause)) {
            pageKeys = Math.max(1, Math.floor(ask / 2));
            continue;
          }
          throw err;
        }
        revision ??= toRevision(res.header.revision);
        count ??= toRevision(res.count);
        let bytes = 0;
        for (const kv of res.kvs) {
          bytes += kv.key.byteLength + kv.value.byteLength;
          kvs.push(toKv(kv));
        }
        const last = res.kvs[res.kvs.length - 1];
        if (!res.more || !last) break;
        if (kvs.length >= wanted) {
          more = true;
          break;
        }
        start = `${last.key.toString('utf8')}\u0000`;
        if (bytes > pageBytes) pageKeys = Math.max(1, Math.floor(res.kvs.length / 2));
        else if (bytes < pageBytes / 4) pageKeys = Math.min(MAX_PAGE_KEYS, Math.max(pageKeys, res.kvs.length) * 2);
      }
      return { revision: revision ?? (await currentRevision()), kvs, more, count: count ?? kvs.length };
    },

    async create(key, value) {
      const k = Buffer.from(key);
      const res = await call(
        () =>
          kvc.txn({
            compare: [{ key: k, target: TARGET_CREATE, result: EQUAL, create_revision: 0 }],
            success: [{ request_put: { key: k, value: Buffer.from(value) } }],
            failure: [],
          }),
        { key, write: true },
      );
      if (!res.succeeded) throw new StorageError('KeyExists', `key already exists: ${key}`, { key });
      return toRevision(res.header.revision);
    },

    async update(key, value, expectedModRevision): Promise<CasResult> {
      const k = Buffer.from(key);
      const res = await call(
        () =>
          kvc.txn({
            compare: [{ key: k, target: TARGET_MOD, result: EQUAL, mod_revision: expectedModRevision }],
            success: [{ request_put: { key: k, value: Buffer.from(value) } }],
            failure: [{ request_range: { key: k } }],
          }),
        { key, write: true },
      );
      if (res.succeeded) return { ok: true, revision: toRevision(res.header.revision) };
      const cur = res.responses[0]?.response_range?.kvs[0];
      return cur ? { ok: false, current: toKv(cur) } : { ok: false };
    },

    async delete(key, expectedModRevision): Promise<DeleteResult> {
      const k = Buffer.from(key);
      if (expectedModRevision === undefined) {
        const res = await call(() => kvc.deleteRange({ key: k, prev_kv: true }), { key });
        const prev = res.prev_kvs[0];
        return prev ? { ok: true, revision: toRevision(res.header.revision), prev: toKv(prev) } : { ok: false };
      }
      const res = await call(
        () =>
          kvc.txn({
            compare: [{ key: k, target: TARGET_MOD, result: EQUAL, mod_revision: expectedModRevision }],
            success: [{ request_delete_range: { key: k, prev_kv: true } }],
            failure: [{ request_range: { key: k } }],
          }),
        { key },
      );
      if (res.succeeded) {
        const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
        if (!prev) return { ok: false }; // cannot happen: the compare proved the key exists
        return { ok: true, revision: toRevision(res.header.revision), prev: toKv(prev) };
      }
      const cur = res.responses[0]?.response_range?.kvs[0];
      return cur ? { ok: false, current: toKv(cur) } : { ok: false };
    },

    watch,
    watchWithProgress,

    async progressCheck(prefix, afterRevision, revision) {
      const key = Buffer.from(prefix);
      const range = { key, range_end: prefixEndBytes(key), revision };
      // etcd filters the returned keys by min_mod_revision (dropping `limit` until after the
      // filter) but reports the unfiltered count: the first read counts the keys it returns.
      const res = await call(
        () =>
          kvc.txn({
            compare: [],
            success: [
              { request_range: { ...range, keys_only: true, min_mod_revision: afterRevision + 1, limit: 1 } },
              { request_range: { ...range, count_only: true } },
            ],
            failure: [],
          }),
        { revision },
      );
      return {
        changed: res.responses[0]?.response_range?.kvs.length ?? 0,
        keys: toRevision(res.responses[1]?.response_range?.count ?? 0),
      };
    },

    async compact(revision) {
      try {
        await kvc.compact({ revision, physical: true });
      } catch (err) {
        const e = fromEtcdError(err, { revision });
        if (e.code === 'Compacted') return; // already compacted at or past `revision`
        if (e.code === 'FutureRevision') throw new StorageError('FutureRevision', e.message, { revision, currentRevision: await currentRevision() });
        throw e;
      }
    },

    compactedRevision,

    async close() {
      for (const c of [...cleanups]) c();
      client.close();
    },
  };
}

